"""Synthetic training data (motions, bodies, cameras, detector-like keypoints), training and evaluation."""
