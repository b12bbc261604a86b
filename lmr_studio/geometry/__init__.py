"""Rotations, cameras and alignment: plain torch/numpy maths with documented shapes."""
