"""Weights files: the shipped ones load strictly and run; bad files raise BadWeightsError."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from lmr_studio.errors import BadWeightsError
from lmr_studio.model import KINDS, build_model, load_model, predict, save_weights
from lmr_studio.model.weights import WEIGHTS_DIR


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_weights_load_and_run(kind):
    path = WEIGHTS_DIR / f"{kind}.pt"
    assert path.stat().st_size < 10 * 1024 * 1024
    model = load_model(kind, device="cpu")
    assert model.config.kind == kind and model.version.startswith(kind) and not model.training
    feats = np.random.default_rng(0).normal(0, 0.3, (20, model.config.feature_dim)).astype(np.float32)
    pred = predict(model, feats)
    assert pred.poses.shape == (20, 24, 3) and np.isfinite(pred.poses).all()


def test_roundtrip_keeps_config_and_version(tmp_path):
    model = build_model("single_rnn", {"single_hidden": 40})
    save_weights(model, tmp_path / "single_rnn.pt", version="v-test")
    loaded = load_model("single_rnn", tmp_path, device="cpu")
    assert loaded.version == "v-test" and loaded.config.single_hidden == 40
    for a, b in zip(model.state_dict().values(), loaded.state_dict().values()):
        assert torch.equal(a, b)


def test_bad_weights_raise_with_hint(tmp_path):
    with pytest.raises(BadWeightsError) as err:
        load_model("lmr", tmp_path / "missing.pt")
    assert err.value.hint
    junk = tmp_path / "lmr.pt"
    junk.write_bytes(b"not a torch file")
    with pytest.raises(BadWeightsError):
        load_model("lmr", junk)
    save_weights(build_model("per_frame"), tmp_path / "pf.pt", version="x")
    with pytest.raises(BadWeightsError, match="per_frame"):
        load_model("lmr", tmp_path / "pf.pt")
    payload = torch.load(tmp_path / "pf.pt", weights_only=True)
    payload["state_dict"].pop("encoder.net.0.weight")
    torch.save(payload, tmp_path / "broken.pt")
    with pytest.raises(BadWeightsError, match="does not match"):
        load_model("per_frame", tmp_path / "broken.pt")


@pytest.mark.slow
def test_eval_quick_json_has_every_key():
    out = subprocess.run([sys.executable, "-m", "lmr_studio.cli", "eval", "--quick", "--json"],
                         capture_output=True, text=True, timeout=600, check=True)
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(results) == set(KINDS)
    for r in results.values():
        assert {"mpjpe", "pa_mpjpe", "pve", "accel", "per_part"} <= set(r)
        assert len(r["per_part"]) == 6
