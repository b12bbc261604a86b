"""One recurrent state carried over the whole track (the pipeline) against restarted windows.

The issue that removed the 16-frame restarts asked to measure both ways of keeping the mesh from
jumping: a state carried over the whole track (trained on long clips with truncated
back-propagation; what the pipeline does) and windows that each start from a fresh state,
overlapping and cross-faded. This script runs the shipped LMR both ways through the real
pipeline (:func:`~lmr_studio.training.render_eval.run_pipeline`, keypoints from its cache, the
2D refinement on or off) and scores:

* the bundled sample against its truth: MPJPE / PA-MPJPE / accel (mm, mm/frame^2) and the
  boundary-step ratio at the window stride (the mean joint step at a window start over the step
  elsewhere; 1 = no jump);
* LAFAN1's first ``--frames`` of each clip, each camera of ``eval --render`` (rendered by an
  earlier ``lmr-studio eval --motion lafan1 --render --frames N``): MPJPE / PA-MPJPE / accel.

    python scripts/compare_state_carry.py --frames 1800 --json out.json

Windows: ``W/O`` = windows of W frames starting every W - O frames, each from a fresh state; in
the O frames two windows share, the later one's weight rises linearly from 0 to 1 (rotations:
weighted mean of the matrices projected back onto rotations; shape, camera, part activity:
weighted mean). ``16/0`` is the restart every 16 frames the project had before.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

import numpy as np
import roma
import torch
from torch import nn

from lmr_studio.geometry.rotations import matrix_to_rot6d
from lmr_studio.model.network import NetworkOutput

VARIANTS = ("carried", "16/0", "16/8", "96/0", "96/32")


class RestartedWindows(nn.Module):
    """``model`` run in windows of ``window`` frames that overlap by ``overlap`` and cross-fade;
    each window starts from a fresh state (the state handed in is ignored)."""

    def __init__(self, model: nn.Module, window: int, overlap: int) -> None:
        super().__init__()
        if not 0 <= overlap < window:
            raise ValueError("need 0 <= overlap < window")
        self.model, self.window, self.overlap = model, window, overlap
        self.config, self.version = model.config, model.version

    def weights(self, frames: int) -> list[tuple[int, torch.Tensor]]:
        """(start, per-frame weight (n,)) of each window over ``frames`` frames; weights sum to 1."""
        stride = self.window - self.overlap
        starts = list(range(0, max(frames - self.overlap, 1), stride))
        out = []
        fade_in = torch.arange(1, self.overlap + 1, dtype=torch.float32) / (self.overlap + 1)
        for i, start in enumerate(starts):
            # every window but the last is whole and every window but the first is longer than the overlap
            w = torch.ones(min(self.window, frames - start))
            if self.overlap and i > 0:  # fade in over the frames shared with the previous window
                w[:self.overlap] = fade_in
            if self.overlap and i + 1 < len(starts):  # fade out over those shared with the next one
                w[-self.overlap:] = fade_in.flip(0)
            out.append((start, w))
        return out

    def forward(self, features: torch.Tensor, state=None) -> NetworkOutput:
        frames = features.shape[1]
        sums: dict[str, torch.Tensor] = {}
        for start, w in self.weights(frames):
            out = self.model(features[:, start:start + len(w)], None)
            for name in ("rotmat", "betas", "cam", "part_activity"):
                value = getattr(out, name)
                shaped = w.view(1, -1, *([1] * (value.dim() - 2)))
                if name not in sums:
                    sums[name] = torch.zeros(value.shape[0], frames, *value.shape[2:])
                sums[name][:, start:start + len(w)] += shaped * value
        rotmat = roma.special_procrustes(sums["rotmat"])  # the nearest rotation to the weighted mean
        return NetworkOutput(rot6d=matrix_to_rot6d(rotmat), rotmat=rotmat,
                             betas=sums["betas"], cam=sums["cam"], part_activity=sums["part_activity"],
                             state=out.state)


def window_of(variant: str) -> tuple[int, int] | None:
    """(window, overlap) of a ``W/O`` variant; None for ``carried``."""
    return None if variant == "carried" else tuple(map(int, variant.split("/")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=1800, help="LAFAN1 frames per clip (0: skip LAFAN1)")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--json", default=None, help="write the figures here")
    args = parser.parse_args()
    torch.set_num_threads(1)

    from lmr_studio.body import load_body_model
    from lmr_studio.body.paths import cache_dir
    from lmr_studio.model import load_model
    from lmr_studio.resources import SAMPLE_TRUTH, SAMPLE_VIDEO
    from lmr_studio.training.bodies import build_body_bank
    from lmr_studio.training.eval_cameras import CAMERAS, film
    from lmr_studio.training.evaluate import ErrorSums
    from lmr_studio.training.metrics import accel_errors, boundary_step_ratio, joint_errors, pa_joint_errors
    from lmr_studio.training.render_eval import Clip, clip_folder, run_pipeline, score_track
    from lmr_studio.training.user_motion import fit_motion, load_motion_file, motion_paths

    with contextlib.redirect_stdout(sys.stderr):
        body = load_body_model("anny")
        bank = build_body_bank(body)
    model = load_model("lmr", None, device="cpu")
    truth = dict(np.load(SAMPLE_TRUTH))
    clips = []
    if args.frames:
        for name, path in motion_paths("lafan1").items():
            fitted = fit_motion(load_motion_file(path), body, bank, args.frames)
            folder = clip_folder(cache_dir() / "eval" / "render", Clip(name, fitted), list(CAMERAS))
            clips.append((name, fitted, folder))
    results = {}
    for variant in args.variants:
        window = window_of(variant)
        net = model if window is None else RestartedWindows(model, *window)
        stride = 16 if window is None else window[0] - window[1]
        for refine in (False, True):
            key = f"{variant} {'refined' if refine else 'raw'}"
            track = run_pipeline(SAMPLE_VIDEO, net, body, refine)
            gt = truth["joints3d"][track.frame_ids]
            row = {"sample": [round(float(joint_errors(track.joints3d, gt).mean()), 1),
                              round(float(pa_joint_errors(track.joints3d, gt).mean()), 1),
                              round(float(accel_errors(track.joints3d, gt).mean()), 2),
                              round(boundary_step_ratio(track.joints3d, period=stride), 3)]}
            sums = ErrorSums()
            for name, fitted, folder in clips:
                for cam in CAMERAS:
                    video = folder / f"{cam.name}.mp4"
                    if not video.is_file():
                        raise SystemExit(f"{video} is missing: run `lmr-studio eval --motion lafan1 --render` first")
                    filmed = film(cam, fitted.poses, fitted.betas, fitted.transl, body, fitted.fps)
                    found = run_pipeline(video, net, body, refine)
                    score_track([sums], body, filmed.poses, filmed.betas, found.frame_ids, found.poses, found.betas)
            if clips:
                res = sums.result()
                row["lafan1"] = [res["mpjpe"], res["pa_mpjpe"], res["accel"]]
            results[key] = row
            print(key, json.dumps(row), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
