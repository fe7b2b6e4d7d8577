import torch

from emoface_training.augment import AugmentConfig, augment
from emoface_training.data import load_split


def test_augmentation_keeps_shape_and_range_and_changes_real_crops(small_fer):
    crops = torch.from_numpy(load_split(small_fer, "train").images).unsqueeze(1).float() / 255
    out = augment(crops, torch.Generator().manual_seed(1))
    assert out.shape == crops.shape and out.dtype == torch.float32
    assert out.min() >= 0 and out.max() <= 1
    assert (out - crops).abs().mean() > 0.02


def test_augmentation_is_repeatable_with_a_seed_and_off_when_disabled(small_fer):
    crops = torch.from_numpy(load_split(small_fer, "train").images).unsqueeze(1).float() / 255
    first = augment(crops, torch.Generator().manual_seed(7))
    again = augment(crops, torch.Generator().manual_seed(7))
    other = augment(crops, torch.Generator().manual_seed(8))
    assert torch.equal(first, again) and not torch.equal(first, other)
    nothing = AugmentConfig(flip=0, rotate_deg=0, scale=0, shift=0, photometric=0, blur=0, noise=0, erase=0)
    assert torch.allclose(augment(crops, torch.Generator().manual_seed(7), nothing), crops, atol=1e-5)


def test_flip_mirrors_the_crop(small_fer):
    crops = torch.from_numpy(load_split(small_fer, "train").images).unsqueeze(1).float() / 255
    only_flip = AugmentConfig(flip=1, rotate_deg=0, scale=0, shift=0, photometric=0, blur=0, noise=0, erase=0)
    assert torch.allclose(augment(crops, torch.Generator(), only_flip), torch.flip(crops, dims=[3]), atol=1e-5)
