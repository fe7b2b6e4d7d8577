"""How blurred are the training crops compared with the test crops?

In this copy of FER2013 every Training crop is blurred (a person sees it at once; the numbers below
say by how much), while PublicTest crops, like live camera crops, are sharp. We measure the blur as the
Gaussian sigma that, applied to the sharp PublicTest crops, gives them the same median Laplacian
energy as the Training crops. The shipped model blurs its input by that sigma (models.Shipped).

    python -m emoface_training.sharpness
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F

from .data import DEFAULT_DATA, load_cached
from .models import GaussianBlur
from .train import TRAINING_DIR

LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)


def laplacian_energy(images: np.ndarray) -> np.ndarray:
    """Per-image standard deviation of the 3×3 Laplacian (high-frequency content) of uint8 crops."""
    x = torch.from_numpy(images).float().unsqueeze(1)
    return F.conv2d(x, LAPLACIAN).flatten(1).std(dim=1).numpy()


def blur(images: np.ndarray, sigma: float) -> np.ndarray:
    """uint8 crops blurred by a Gaussian of `sigma` pixels (the same filter the shipped model applies)."""
    with torch.no_grad():
        out = GaussianBlur(sigma)(torch.from_numpy(images).float().unsqueeze(1))
    return out[:, 0].round().clamp(0, 255).numpy().astype(np.uint8)


def estimate_blur(train: np.ndarray, test: np.ndarray, sigmas: np.ndarray = np.arange(0.5, 5.01, 0.25)) -> dict:
    """The sigma whose blur brings the test crops' median Laplacian energy to the training crops'."""
    target = float(np.median(laplacian_energy(train)))
    curve = {round(float(s), 2): float(np.median(laplacian_energy(blur(test, float(s))))) for s in sigmas}
    best = min(curve, key=lambda s: abs(np.log(curve[s] / target)))
    return {"sigma": best, "trainMedianLaplacian": round(target, 3),
            "testMedianLaplacian": round(float(np.median(laplacian_energy(test))), 3),
            "testBlurredMedianLaplacian": {str(s): round(v, 3) for s, v in curve.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.sharpness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    cache = TRAINING_DIR / ".cache"
    train, test = load_cached(args.data, "train", cache), load_cached(args.data, "test", cache)
    print(json.dumps(estimate_blur(train.images, test.images), indent=2))


if __name__ == "__main__":
    main()
