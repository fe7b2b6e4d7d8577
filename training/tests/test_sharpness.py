import numpy as np
import torch

from emoface_training.data import load_split
from emoface_training.models import GaussianBlur
from emoface_training.sharpness import blur, estimate_blur, laplacian_energy


def test_gaussian_blur_keeps_brightness_and_zero_is_identity():
    x = torch.rand(2, 1, 48, 48)
    assert torch.equal(GaussianBlur(0)(x), x)
    blurred = GaussianBlur(2.0)(x)
    assert blurred.shape == x.shape
    assert torch.allclose(blurred.mean(), x.mean(), atol=1e-2)
    assert blurred.std() < 0.5 * x.std()


def test_estimate_recovers_a_known_blur_of_real_crops(small_fer):
    sharp = load_split(small_fer, "test").images
    known = blur(sharp, 2.0)
    estimate = estimate_blur(known, sharp)
    assert abs(estimate["sigma"] - 2.0) <= 0.25
    assert np.median(laplacian_energy(known)) < np.median(laplacian_energy(sharp)) / 3
