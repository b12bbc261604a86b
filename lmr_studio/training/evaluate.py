"""Score the networks on a held-out synthetic test set (other seeds, other motion families,
other bodies than training), overall and per part."""

from __future__ import annotations

import dataclasses

import numpy as np

from lmr_studio.model import load_model, predict
from lmr_studio.parts import JOINT_PART, NUM_PARTS, PART_NAMES
from lmr_studio.training.bodies import BodyBank
from lmr_studio.training.dataset import ClipSet, make_clips
from lmr_studio.training.metrics import (accel_errors, depth_sign_agreement, joint_errors, pa_joint_errors,
                                         vertex_errors)
from lmr_studio.training.motion import TEST_FAMILIES

TEST_SEED = 10_007
METRICS = ("mpjpe", "pa_mpjpe", "pve", "accel")


@dataclasses.dataclass
class ErrorSums:
    """Running sums of errors per metric, overall and per part."""

    total: dict = dataclasses.field(default_factory=lambda: {m: [0.0, 0] for m in METRICS})
    part: dict = dataclasses.field(default_factory=lambda: {m: np.zeros((NUM_PARTS, 2)) for m in METRICS})

    def add(self, metric: str, errors: np.ndarray, labels: np.ndarray) -> None:
        """errors (F, K) with a part label per column (K,)."""
        self.total[metric][0] += float(errors.sum())
        self.total[metric][1] += errors.size
        col = errors.sum(0)
        np.add.at(self.part[metric][:, 0], labels, col)
        np.add.at(self.part[metric][:, 1], labels, errors.shape[0])

    def result(self) -> dict:
        """Mean per metric, overall and per part; None for a metric with no samples (acceleration on photos)."""
        out = {m: round(s / n, 2) if n else None for m, (s, n) in self.total.items()}
        out["per_part"] = {name: {m: round(float(self.part[m][p, 0] / self.part[m][p, 1]), 2)
                                  if self.part[m][p, 1] else None for m in METRICS} for p, name in enumerate(PART_NAMES)}
        return out


def test_set(bank: BodyBank, quick: bool) -> ClipSet:
    """The held-out test clips: 15 x 96 frames (quick) or 60 x 128 frames, test families and bodies."""
    count, frames = (15, 96) if quick else (60, 128)
    return make_clips(bank, TEST_FAMILIES, count, frames, seed=TEST_SEED, split="test")


def score_predictions(body, clips: ClipSet, predictions: dict[str, list[tuple[np.ndarray, np.ndarray]]]) -> dict:
    """Metrics per network for per-clip predicted (poses (F, 24, 3), betas (F, 10)) against the
    truth of ``clips``, and ``depth_signs_pct``: the limb bones that lean to the truth's side of the
    image plane (:func:`~lmr_studio.training.metrics.depth_sign_agreement`), % of those scored. The
    true meshes are posed once per clip for all networks."""
    sums = {kind: ErrorSums() for kind in predictions}
    signs = {kind: [0.0, 0] for kind in predictions}  # [bones on the truth's side, bones scored]
    vparts = np.asarray(body.vertex_parts).astype(np.int64)
    for i in range(len(clips)):
        gt_v, gt_j = body.mesh_sequence(clips.poses[i].numpy(), clips.betas[i].numpy())
        for kind, preds in predictions.items():
            pr_v, pr_j = body.mesh_sequence(*preds[i])
            s = sums[kind]
            s.add("mpjpe", joint_errors(pr_j, gt_j), JOINT_PART)
            s.add("pa_mpjpe", pa_joint_errors(pr_j, gt_j), JOINT_PART)
            s.add("accel", accel_errors(pr_j, gt_j), JOINT_PART)
            s.add("pve", vertex_errors(pr_v, gt_v, pr_j[:, 0], gt_j[:, 0]), vparts)
            agree = depth_sign_agreement(pr_j, gt_j)
            signs[kind][0] += float(np.nansum(agree))
            signs[kind][1] += int(np.isfinite(agree).sum())
    return {kind: {**s.result(), "depth_signs_pct": round(100.0 * signs[kind][0] / signs[kind][1], 2)
                   if signs[kind][1] else None} for kind, s in sums.items()}


def evaluate(body, bank: BodyBank, kinds: tuple[str, ...], weights_dir=None, quick: bool = False,
             clips: ClipSet | None = None) -> dict:
    """{kind: {"mpjpe", "pa_mpjpe", "pve", "accel", "per_part": {part: {...}}, "depth_signs_pct"}} on the test set."""
    clips = clips if clips is not None else test_set(bank, quick)
    predictions = {}
    for kind in kinds:
        model = load_model(kind, weights_dir, device="cpu")
        predictions[kind] = []
        for i in range(len(clips)):
            p = predict(model, clips.features[i].numpy())
            predictions[kind].append((p.poses, p.betas))
    return score_predictions(body, clips, predictions)
