"""Mean and spread of evaluation results over training seeds (the paper's ablation, honestly).

``lmr-studio eval --weights DIR DIR ...`` scores each folder (one training seed each) on the same
clips; this module reduces the results to mean ± sample standard deviation per network and
metric, overall and per camera for end-to-end runs.
"""

from __future__ import annotations

import numpy as np

from lmr_studio.training.evaluate import METRICS


def _mean_std(values: list[float | None]) -> list[float | None]:
    """[mean, sample std] rounded to 0.01 (std 0 for one value); [None, None] for a metric not measured."""
    if any(v is None for v in values):
        return [None, None]
    x = np.asarray(values, np.float64)
    return [round(float(x.mean()), 2), round(float(x.std(ddof=1)) if len(x) > 1 else 0.0, 2)]


def seed_spread(runs: list[dict], kinds: list[str]) -> dict:
    """``{kind: {metric: [mean, std]}}`` over ``runs`` (each ``{kind: {metric: value}}``, as eval
    returns), plus ``"per_camera": {camera: {kind: {metric: [mean, std]}}}`` when the runs have cameras
    and ``"limbs_pa_mpjpe": {source: [mean, std]}`` when they score the limb joints (end to end)."""
    out = {kind: {m: _mean_std([r[kind][m] for r in runs]) for m in METRICS} for kind in kinds}
    if all("limbs_pa_mpjpe" in r for r in runs):
        out["limbs_pa_mpjpe"] = {src: _mean_std([r["limbs_pa_mpjpe"][src] for r in runs])
                                 for src in runs[0]["limbs_pa_mpjpe"]}
    if all("per_camera" in r for r in runs):
        cameras = runs[0]["per_camera"]
        out["per_camera"] = {cam: {kind: {m: _mean_std([r["per_camera"][cam][kind][m] for r in runs]) for m in METRICS}
                                   for kind in kinds} for cam in cameras}
    return out


def spread_table(spread: dict, kinds: list[str], seeds: int) -> str:
    """The mean ± std table :func:`seed_spread` makes, as text."""
    lines = [f"mean ± std over {seeds} seeds", f"{'network':<12}" + "".join(f"{m:>16}" for m in METRICS)]
    for kind in kinds:
        lines.append(f"{kind:<12}" + "".join(f"{'-':>16}" if spread[kind][m][0] is None
                                             else f"{spread[kind][m][0]:>9.1f} ± {spread[kind][m][1]:<4.1f}"
                                             for m in METRICS))
    if "limbs_pa_mpjpe" in spread:
        lines.append("12 limb joints, PA-MPJPE aligned on those 12: " + ", ".join(
            f"{src} -" if v[0] is None else f"{src} {v[0]:.1f} ± {v[1]:.1f}" for src, v in spread["limbs_pa_mpjpe"].items()))
    for cam, r in spread.get("per_camera", {}).items():
        cells = "  ".join(f"{k}={r[k]['mpjpe'][0]:.0f}±{r[k]['mpjpe'][1]:.0f}/{r[k]['pa_mpjpe'][0]:.0f}±{r[k]['pa_mpjpe'][1]:.0f}"
                          for k in kinds)
        lines.append(f"  {cam:<8}{cells}   (MPJPE / PA-MPJPE)")
    return "\n".join(lines)
