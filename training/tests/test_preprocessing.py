"""The model's input preprocessing: per-crop histogram equalization, then mean/std."""
import torch

from emoface_training.data import load_split
from emoface_training.models import MEAN, STD, equalize_histogram, normalize


def test_equalization_maps_darkest_to_0_and_brightest_to_255_rounding_halves_up():
    crops = torch.tensor([[0, 0, 1, 2], [10, 200, 200, 255], [90, 90, 90, 90]], dtype=torch.uint8)
    assert equalize_histogram(crops).tolist() == [[0, 0, 128, 255], [0, 170, 170, 255], [90, 90, 90, 90]]


def test_equalized_test_crops_look_like_training_crops(small_fer):
    """The training crops come equalized (both ends of the gray scale in each, spread evenly); PublicTest's
    do not; after equalization they do, and equalizing a training crop again changes it little. (FER2013 has
    blank crops, so medians.)"""
    train, test = (torch.from_numpy(load_split(small_fer, split).images) for split in ("train", "test"))
    spread = lambda crops: crops.float().flatten(1).std(1).median()  # noqa: E731
    assert spread(train) > 70 and spread(test) < 60
    equalized = equalize_histogram(test)
    assert spread(equalized) > 70
    assert (equalized.flatten(1).max(1).values == 255).all()
    assert (equalize_histogram(train).float() - train.float()).abs().median() <= 3

def test_normalize_equalizes_then_scales():
    crop = torch.tensor([[[[0, 0], [1, 2]]]], dtype=torch.uint8)
    expected = (torch.tensor([[[[0, 0], [128, 255]]]]) / 255 - MEAN) / STD
    torch.testing.assert_close(normalize(crop), expected)
