"""People, 2D keypoints and the per-frame features LMR reads."""
