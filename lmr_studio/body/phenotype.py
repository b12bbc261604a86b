"""SMPL-style betas -> Anny's six phenotypes (a fixed, documented, smooth map).

Anny's shape is six values in [0, 1] (gender, age, muscle, weight, height, proportions), not
SMPL betas, and no free data relates the two. LMR Studio predicts 10 betas whatever the body
model, so for Anny each phenotype is one beta through a scaled sigmoid::

    phenotype_k = low_k + (high_k - low_k) * sigmoid(GAIN * betas[BETA_OF[k]])

betas = 0 gives the middle of each range (an average adult); betas 6..9 are unused by Anny.
Ranges keep the body adult: age 0.55..0.95 spans Anny's child/young anchor (0.33/0.67) to
old (1.0); gender 0 is male, 1 female.
"""

from __future__ import annotations

import torch

#: Anny's phenotype order (``anny.Anny().phenotype_labels``).
PHENOTYPES: tuple[str, ...] = ("gender", "age", "muscle", "weight", "height", "proportions")
#: Which beta drives each phenotype: height <- b0, weight <- b1, muscle <- b2, gender <- b3,
#: proportions <- b4, age <- b5.
BETA_OF: tuple[int, ...] = (3, 5, 2, 1, 0, 4)
LOW = (0.0, 0.55, 0.0, 0.0, 0.0, 0.0)
HIGH = (1.0, 0.95, 1.0, 1.0, 1.0, 1.0)
GAIN = 0.8


def betas_to_phenotypes(betas: torch.Tensor) -> torch.Tensor:
    """(B, 10) betas -> (B, 6) phenotypes in [0, 1], in :data:`PHENOTYPES` order."""
    low = torch.tensor(LOW, dtype=betas.dtype, device=betas.device)
    high = torch.tensor(HIGH, dtype=betas.dtype, device=betas.device)
    return low + (high - low) * torch.sigmoid(GAIN * betas[:, list(BETA_OF)])
