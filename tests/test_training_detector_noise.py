"""The procedural detector model draws from BlazePose's measured errors (blazepose_noise.json)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lmr_studio.training.detector_noise import DetectorNoise, measured_noise
from lmr_studio.training.noise_fit import FIT_PATH
from lmr_studio.training.synth import _spans


def test_parameters_come_from_the_fitted_file():
    fit = json.loads(FIT_PATH.read_text())
    noise = measured_noise()
    assert noise.jitter == tuple(fit["synth"]["jitter_std"]) and noise.drop_rate == fit["synth"]["drop_rate"]
    assert noise.flip_rate[-1] == fit["by_facing_deg"]["world_front_back_flip_rate"]["135-180"]
    assert noise.world_rotation_deg == fit["world"]["rotation_deg_p50_p90"][0]


def test_rates_follow_the_facing_bin():
    noise = DetectorNoise.from_fit(json.loads(FIT_PATH.read_text()))
    rates = (0.1, 0.2, 0.3, 0.4)
    np.testing.assert_allclose(noise.by_facing(rates, np.array([0.0, 44.0, 46.0, 100.0, 170.0, 180.0])),
                               [0.1, 0.1, 0.2, 0.3, 0.4, 0.4])


@pytest.mark.parametrize("share, lengths", [(0.05, (9.0, 90.0)), (0.04, (1.0, 3.0))])
def test_spans_cover_the_asked_share_of_frames(share, lengths):
    rng = np.random.default_rng(0)
    spans = _spans(rng, np.full(200_000, share), lengths)
    covered = np.zeros(200_000, bool)
    for span in spans:
        covered[span] = True
    assert covered.mean() == pytest.approx(share, rel=0.15)
    assert all(lengths[0] - 0.5 <= s.stop - s.start <= lengths[1] + 0.5 for s in spans[:-1])
