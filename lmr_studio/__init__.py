"""LMR Studio: video human-mesh recovery with local recurrent models (Li et al., 2021)."""

__version__ = "0.1.0"
