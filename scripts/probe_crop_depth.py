"""Does the person crop carry limb depth beyond BlazePose's landmarks? A per-frame probe.

LAFAN1's error is the depth of the limbs (docs/model.md, "Where the error is on the whole
clips"), which the 2D landmarks leave open; the lever left is image evidence. Before an image
backbone enters LMR, this probe asks whether one trained here, on our renders, reads any: two
per-frame regressors of each joint's depth relative to the pelvis (camera frame, metres) are
trained on the same frames of a render-and-detect pool made with ``datagen --crops``:

* ``keypoints``: LMR's input features alone (the 33 landmarks in their box, the world landmarks);
* ``image``: the same plus a small CNN over the person crop.

With ``--on-network`` both also read the shipped LMR's own depths (the raw network run over each
clip) and predict a correction of them: can the crop improve what LMR already gives?

Both are scored on the pool's test split and on an evaluation pool (LAFAN1's windows: ``datagen
--motion lafan1 --crops 96 --out DIR``): the mean |depth error| of the 12 limb joints, mm, beside
the shipped LMR's (the raw network, per track) on the same frames.

    python scripts/probe_crop_depth.py TRAIN_POOL --eval EVAL_POOL [--steps 1500] [--on-network] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import cv2
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from lmr_studio.keypoint_error import MARKED_JOINTS
from lmr_studio.perception.features import FEATURE_DIM, box_from_keypoints, keypoint_features, steady_world
from lmr_studio.training.realdet_clips import realdet_split

KINDS = ("keypoints", "image")
#: The 12 limb joints BlazePose marks (SMPL indices).
LIMBS = list(MARKED_JOINTS)


def found_frames(data: dict[str, np.ndarray], size: int) -> dict[str, np.ndarray]:
    """The frames of a crops pool (:func:`~lmr_studio.training.realdet.load_realdet`'s arrays)
    where the person was found: ``crops`` (M, size, size, 3) uint8, ``features`` (M, FEATURE_DIM)
    as the pipeline builds them (world landmarks smoothed over each clip's found frames),
    ``depth`` (M, 24) each joint's depth minus the pelvis's (m, camera frame, + towards the
    camera), ``clip`` (M,) the clip each frame belongs to."""
    out: dict[str, list] = {"crops": [], "features": [], "depth": [], "clip": []}
    for n, found in enumerate(data["found"]):
        ids = np.flatnonzero(found)
        if not len(ids):
            continue
        kp = data["keypoints"][n, ids]
        world = steady_world(data["world"][n, ids], ids)
        out["features"].append(keypoint_features(kp, box_from_keypoints(kp), world))
        crops = data["crops"][n, ids]
        if crops.shape[1] != size:
            crops = np.stack([cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA) for c in crops])
        out["crops"].append(crops)
        joints = data["joints3d"][n, ids]
        out["depth"].append(joints[:, :, 2] - joints[:, :1, 2])
        out["clip"].append(np.full(len(ids), n))
    return {k: np.concatenate(v).astype(np.uint8 if k == "crops" else np.int64 if k == "clip" else np.float32)
            for k, v in out.items()}


def network_depth(model, body, frames: dict[str, np.ndarray]) -> np.ndarray:
    """(M, 24) the joints' depth relative to the pelvis (m) from ``model`` run over each clip's
    found frames as one track (raw network, no refinement), posed on ``body``."""
    from lmr_studio.model.predict import predict

    out = np.zeros_like(frames["depth"])
    for n in np.unique(frames["clip"]):
        rows = frames["clip"] == n
        p = predict(model, frames["features"][rows])
        _, joints = body.mesh_sequence(p.poses, p.betas)
        out[rows] = joints[:, :, 2] - joints[:, :1, 2]
    return out


class DepthProbe(nn.Module):
    """Per frame: features (B, FEATURE_DIM) [and crops (B, S, S, 3) uint8, S a multiple of 16]
    [and the network's depths (B, 24)] -> (B, 24) joint depths relative to the pelvis, m; with
    ``on_network`` a correction added to the network's."""

    def __init__(self, use_image: bool, size: int = 64, width: int = 512, on_network: bool = False) -> None:
        super().__init__()
        self.use_image, self.on_network = use_image, on_network
        inputs = FEATURE_DIM + (24 if on_network else 0)
        self.keypoints = nn.Sequential(nn.Linear(inputs, width), nn.LayerNorm(width), nn.ReLU(),
                                       nn.Linear(width, width), nn.ReLU())
        joined = width
        if use_image:
            channels = (3, 32, 64, 128, 128)
            layers: list[nn.Module] = []
            for a, b in zip(channels, channels[1:]):
                layers += [nn.Conv2d(a, b, 3, 2, 1), nn.BatchNorm2d(b), nn.ReLU(),
                           nn.Conv2d(b, b, 3, 1, 1), nn.BatchNorm2d(b), nn.ReLU()]
            side = size // 16
            self.image = nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.2),
                                       nn.Linear(channels[-1] * side * side, 256), nn.ReLU())
            joined += 256
        self.head = nn.Sequential(nn.Linear(joined, width), nn.ReLU(), nn.Linear(width, 24))

    def forward(self, features: torch.Tensor, crops: torch.Tensor | None = None,
                network: torch.Tensor | None = None) -> torch.Tensor:
        h = self.keypoints(torch.cat([features, network], 1) if self.on_network else features)
        if self.use_image:
            pixels = crops.permute(0, 3, 1, 2).float() / 127.5 - 1.0
            h = torch.cat([h, self.image(pixels)], 1)
        return network + self.head(h) if self.on_network else self.head(h)


def _inputs(frames: dict[str, np.ndarray], rows) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The probe's inputs at ``rows``: features, crops, the network's depths (None without them)."""
    network = frames.get("network")
    return (torch.from_numpy(frames["features"][rows]), torch.from_numpy(frames["crops"][rows]),
            None if network is None else torch.from_numpy(network[rows]))


def probe_predict(net: DepthProbe, frames: dict[str, np.ndarray], batch: int = 512) -> np.ndarray:
    """(M, 24) the probe's depths over ``frames`` (:func:`found_frames`)."""
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(frames["features"]), batch):
            out.append(net(*_inputs(frames, slice(s, s + batch))).numpy())
    net.train()
    return np.concatenate(out)


def limb_depth_mm(depth: np.ndarray, truth: np.ndarray) -> float:
    """Mean |depth error| of the 12 limb joints, mm; (M, 24) metres each."""
    return float(np.abs(depth[:, LIMBS] - truth[:, LIMBS]).mean() * 1000.0)


def train_probe(net: DepthProbe, frames: dict[str, np.ndarray], steps: int, seed: int = 0, batch: int = 128,
                lr: float = 1e-3, check: Callable[[int, DepthProbe], None] = lambda step, net: None) -> DepthProbe:
    """L1 on the depths, AdamW with a one-cycle rate; crops get a brightness and contrast jitter.
    ``check(step, net)`` runs every 250 steps and after the last."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(net.parameters(), lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    for step in range(1, steps + 1):
        rows = rng.integers(0, len(frames["features"]), batch)
        features, crops, network = _inputs(frames, rows)
        if net.use_image:
            gain = rng.uniform(0.7, 1.3, (batch, 1, 1, 1))
            jittered = np.clip(crops.numpy() * gain + rng.uniform(-25, 25, (batch, 1, 1, 1)), 0, 255)
            crops = torch.from_numpy(jittered.astype(np.uint8))
        loss = F.l1_loss(net(features, crops, network), torch.from_numpy(frames["depth"][rows]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == steps:
            check(step, net)
    return net


def main(argv: list[str] | None = None) -> dict:
    from lmr_studio.body import load_body_model
    from lmr_studio.model import load_model
    from lmr_studio.training.realdet import load_realdet

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pool", help="a pool made with datagen --crops (trained on its train split)")
    ap.add_argument("--eval", dest="eval_pool", default=None, help="an evaluation pool with crops (all its frames)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--size", type=int, default=64, help="crop side the CNN reads (px, a multiple of 16)")
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--on-network", action="store_true", help="the probes correct the shipped LMR's depths")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    pool = load_realdet(args.pool, crops=True)
    if "crops" not in pool:
        raise SystemExit(f"{args.pool} holds no crops: make the pool with lmr-studio datagen --crops 96.")
    splits = {name: realdet_split(pool, name) for name in ("train", "test")}
    if not all(split["found"].any() for split in splits.values()):
        raise SystemExit(f"{args.pool} needs a person found in both splits (the test split is every 8th shard): "
                         "make at least 2 shards.")
    sets = {name: found_frames(split, args.size) for name, split in splits.items()}
    if args.eval_pool:
        sets["eval"] = found_frames(load_realdet(args.eval_pool, crops=True), args.size)
    del pool, splits
    model, body = load_model("lmr", None, device="cpu"), load_body_model("anny")
    scored = [name for name in sets if name != "train"]
    network = {name: network_depth(model, body, sets[name]) for name in (sets if args.on_network else scored)}
    if args.on_network:  # the probes read it
        for name, depth in network.items():
            sets[name]["network"] = depth
    results: dict = {"frames": {k: len(v["depth"]) for k, v in sets.items()},
                     "zero_mm": {k: limb_depth_mm(np.zeros_like(sets[k]["depth"]), sets[k]["depth"]) for k in scored},
                     "lmr_raw_mm": {k: limb_depth_mm(network[k], sets[k]["depth"]) for k in scored}}
    print(json.dumps(results), flush=True)
    for kind in args.kinds:
        start = time.perf_counter()
        curve = []

        def check(step: int, net: DepthProbe) -> None:
            curve.append({"step": step, **{k: round(limb_depth_mm(probe_predict(net, sets[k]), sets[k]["depth"]), 2)
                                           for k in scored}})
            print(kind, json.dumps(curve[-1]), f"{time.perf_counter() - start:.0f} s", flush=True)

        train_probe(DepthProbe(kind == "image", args.size, on_network=args.on_network), sets["train"], args.steps,
                    args.seed, check=check)
        results[kind] = {"curve": curve, "seconds": round(time.perf_counter() - start, 1)}
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    return results


if __name__ == "__main__":
    main()
