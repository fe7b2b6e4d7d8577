"""Batch augmentation on the CPU that imitates what a live pipeline does to a face crop.

Operates on float32 [B, 1, H, W] in 0..1 and returns the same shape and range. Every random
draw comes from the `generator` passed in, so a seeded run is repeatable.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class AugmentConfig:
    """Strengths of each augmentation; 0 turns one off."""

    flip: float = 0.5  # probability of a horizontal flip
    rotate_deg: float = 10.0  # head roll left after alignment, ± degrees
    scale: float = 0.1  # face size misestimate, ± fraction
    shift: float = 0.06  # keypoint misalignment, ± fraction of the crop
    photometric: float = 0.5  # probability of brightness/contrast/gamma change
    brightness: float = 0.2  # ± added to 0..1 pixels
    contrast: float = 0.35  # contrast factor in 1 ± this
    gamma: float = 0.35  # gamma in exp(± this)
    blur: float = 0.2  # probability of a low-resolution round trip (a webcam face far from the camera)
    noise: float = 0.15  # probability of sensor noise, std 0.01..0.04
    erase: float = 0.25  # probability of erasing a rectangle (occlusion by hands, glasses)


def _uniform(generator: torch.Generator, size: int, low: float, high: float) -> torch.Tensor:
    return torch.rand(size, generator=generator) * (high - low) + low


def _chance(generator: torch.Generator, size: int, probability: float) -> torch.Tensor:
    return torch.rand(size, generator=generator) < probability


def augment(images: torch.Tensor, generator: torch.Generator, config: AugmentConfig = AugmentConfig()) -> torch.Tensor:
    """Randomly flip, warp, relight, blur, add noise to and occlude a batch of crops."""
    batch, _, height, width = images.shape
    x = _geometric(images, generator, config)

    relit = _chance(generator, batch, config.photometric).view(-1, 1, 1, 1)
    mean = x.mean(dim=(2, 3), keepdim=True)
    contrast = _uniform(generator, batch, 1 - config.contrast, 1 + config.contrast).view(-1, 1, 1, 1)
    brightness = _uniform(generator, batch, -config.brightness, config.brightness).view(-1, 1, 1, 1)
    gamma = torch.exp(_uniform(generator, batch, -config.gamma, config.gamma)).view(-1, 1, 1, 1)
    changed = (((x - mean) * contrast + mean + brightness).clamp(0, 1)) ** gamma
    x = torch.where(relit, changed, x)

    blurred = _chance(generator, batch, config.blur)
    if blurred.any():
        side = int(torch.randint(height // 2, height - 8, (1,), generator=generator))
        small = F.interpolate(x[blurred], size=(side, side), mode="area")
        x = x.clone()
        x[blurred] = F.interpolate(small, size=(height, width), mode="bilinear", align_corners=False)

    noisy = _chance(generator, batch, config.noise).view(-1, 1, 1, 1)
    sigma = _uniform(generator, batch, 0.01, 0.04).view(-1, 1, 1, 1)
    x = torch.where(noisy, x + torch.randn(x.shape, generator=generator) * sigma, x)

    return _erase(x.clamp(0, 1), generator, config.erase)


def _geometric(images: torch.Tensor, generator: torch.Generator, config: AugmentConfig) -> torch.Tensor:
    batch = images.shape[0]
    angle = _uniform(generator, batch, -1, 1) * math.radians(config.rotate_deg)
    scale = 1 + _uniform(generator, batch, -config.scale, config.scale)
    flip = torch.where(_chance(generator, batch, config.flip), -1.0, 1.0)
    # affine_grid maps output coordinates to input ones in [-1, 1]: a shift of 2*s is s of the crop.
    shift = _uniform(generator, 2 * batch, -2 * config.shift, 2 * config.shift).view(batch, 2)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos * flip, -sin, shift[:, 0]], dim=1),
                         torch.stack([sin * flip, cos, shift[:, 1]], dim=1)], dim=1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _erase(x: torch.Tensor, generator: torch.Generator, probability: float) -> torch.Tensor:
    batch, _, height, width = x.shape
    erased = _chance(generator, batch, probability)
    area = _uniform(generator, batch, 0.04, 0.2) * height * width
    aspect = torch.exp(_uniform(generator, batch, -0.8, 0.8))
    box_h = (area * aspect).sqrt().clamp(2, height - 1).long()
    box_w = (area / aspect).sqrt().clamp(2, width - 1).long()
    top = (torch.rand(batch, generator=generator) * (height - box_h)).long()
    left = (torch.rand(batch, generator=generator) * (width - box_w)).long()
    rows = torch.arange(height).view(1, -1, 1)
    cols = torch.arange(width).view(1, 1, -1)
    inside = ((rows >= top.view(-1, 1, 1)) & (rows < (top + box_h).view(-1, 1, 1))
              & (cols >= left.view(-1, 1, 1)) & (cols < (left + box_w).view(-1, 1, 1)))
    mask = (inside & erased.view(-1, 1, 1)).unsqueeze(1)
    fill = torch.rand(x.shape, generator=generator)
    return torch.where(mask, fill, x)
