"""Score the people tracker (and optionally the whole pipeline) on the generated crowd clip.

    python scripts/eval_crowd.py [--clip crowd.mp4 --truth crowd_truth.npz] [--mpjpe] [--json]

Without --clip the clip is rendered first (lmr_studio.bench.crowd, about 2 minutes on 2 cores).
Prints recall, precision, identity switches (lmr_studio.perception.track_metrics), people per
frame, tracking frames/s, and with --mpjpe each person's root-aligned MPJPE (mm) through LMR.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lmr_studio.bench.crowd import Crowd, make_crowd  # noqa: E402
from lmr_studio.perception.keypoints import video_keypoint_tracks  # noqa: E402
from lmr_studio.perception.track_metrics import score_tracks  # noqa: E402
from lmr_studio.video import VideoSource  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--mpjpe", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    clip = args.clip or tmp / "crowd.mp4"
    truth = Crowd.load(args.truth) if args.truth else make_crowd(clip)
    start = time.perf_counter()
    with VideoSource(clip) as source:
        tracks = list(video_keypoint_tracks(source, all_tracks=True, use_cache=False))[-1][1]
    seconds = time.perf_counter() - start
    scores = score_tracks(tracks, truth.joints2d, truth.present)
    frames = truth.present.shape[1]
    per_frame = np.bincount(np.concatenate([t.frame_ids for t in tracks.values()]), minlength=frames)
    out = {"recall": round(scores.recall, 3), "precision": round(scores.precision, 3),
           "id_switches": scores.id_switches, "tracks": len(tracks), "true_people": int(truth.present.any(1).sum()),
           "people_per_frame_true": round(float(truth.present.sum(0).mean()), 2),
           "people_per_frame_tracked": round(float(per_frame.mean()), 2),
           "tracking_fps": round(frames / seconds, 2)}
    if args.mpjpe:
        out["mpjpe_mm"] = person_mpjpe(clip, truth, scores.matches)
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))


def person_mpjpe(clip: Path, truth: Crowd, matches: dict[int, dict[int, int]]) -> dict[int, float]:
    """Root-aligned MPJPE (mm) per true person over the frames matched to a recovered track."""
    from lmr_studio.pipeline import ProcessOptions, process_video

    result = process_video(clip, ProcessOptions(all_tracks=True, use_cache=True))
    errors = {}
    for person, frames in matches.items():
        per_frame = []
        for frame, tid in frames.items():
            track = result.tracks.get(tid)
            row = None if track is None else track.row_of_frame(frame)
            if row is None:
                continue
            pred = track.joints3d[row] - track.joints3d[row, :1]
            true = truth.joints3d[person, frame] - truth.joints3d[person, frame, :1]
            per_frame.append(np.linalg.norm(pred - true, axis=-1).mean())
        if per_frame:
            errors[person] = round(1000 * float(np.mean(per_frame)), 1)
    return errors


if __name__ == "__main__":
    main()
