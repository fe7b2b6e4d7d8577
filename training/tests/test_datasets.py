"""The readers of FER+, CK+ and SFEW on real files from ../shared/datasets (each test skips without its dataset)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from emoface_training import datasets
from emoface_training.data import DEFAULT_DATA, LABELS, load_folder
from emoface_training.train import epoch_label_counts, epoch_order


def need(folder):
    if not folder.is_dir():
        pytest.skip(f"{folder.resolve()} not found (../shared/datasets beside the repository)")
    return folder


def test_ferplus_votes_become_distributions_over_our_labels():
    # label.csv's order: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
    votes = np.array([[4, 0, 0, 1, 3, 2, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 2, 2, 6], [1, 5, 0, 0, 0, 0, 0, 4, 0, 0]])
    targets, kept = datasets.ferplus_distribution(votes)
    assert kept.tolist() == [True, False, True]  # the second is mostly "not a face"
    expected = dict(angry=0.3, disgust=0.2, fear=0, happy=0, neutral=0.4, sad=0.1, surprise=0)
    assert targets[0] == pytest.approx([expected[label] for label in LABELS])
    assert targets[2][LABELS.index("happy")] == pytest.approx(5 / 6)  # contempt's votes left out


def test_ferplus_reader_on_real_files():
    need(datasets.FERPLUS / "valid")
    valid = datasets.load_ferplus("valid")
    assert 3000 < len(valid) <= 3533 and valid.images.shape[1:] == (48, 48)
    assert np.allclose(valid.targets.sum(1), 1) and (valid.targets >= 0).all()
    assert valid.images.std() > 10  # real faces
    assert len(set(valid.paths)) == len(valid)


def test_ferplus_images_are_found_again_among_fer2013s():
    need(datasets.FERPLUS / "valid")
    need(DEFAULT_DATA / "test")
    plus = datasets.load_ferplus("valid")
    fer = load_folder(DEFAULT_DATA / "test")
    sample = fer.subset(np.arange(0, len(fer), 60))
    index, correlation = datasets.nearest_images(sample.images, plus.images)
    assert np.median(correlation) > 0.98
    assert (correlation >= datasets.MATCH_MIN_CORRELATION).mean() > 0.85
    # The same face: a FER+ image matches itself mirrored far worse than its FER2013 twin.
    _, mirrored = datasets.nearest_images(sample.images[:, :, ::-1].copy(), plus.images[index])
    assert np.median(mirrored) < np.median(correlation) - 0.05


def test_ckplus_is_grouped_by_subject_and_held_out_by_subject():
    need(datasets.CKPLUS)
    ck = datasets.load_ckplus()
    assert len(ck) == 981 - 54  # contempt has no slot
    assert set(ck.labels.tolist()) == {LABELS.index(label) for label in ("angry", "disgust", "fear", "happy", "sad", "surprise")}
    assert all(group.startswith("S") and group in path for group, path in zip(ck.groups, ck.paths))
    train, held = ck.split()
    assert set(train.groups).isdisjoint(held.groups)
    assert len(train) + len(held) == len(ck)
    assert len(set(held.groups)) == len(datasets.held_out_groups(ck.groups)) == -(-len(set(ck.groups)) // 3)
    assert ck.split()[1].paths == held.paths  # a fixed rule, not a draw


def test_sfew_files_are_grouped_by_film():
    need(datasets.SFEW)
    files = datasets.labelled_files(datasets.SFEW)
    assert len(files) == 859
    films = {datasets.sfew_film(path.name) for path, _ in files}
    assert 30 < len(films) < 45 and {"HarryPotter", "Oceans", "IAmSam", "50_50"} <= films
    assert datasets.sfew_film("ThereIsSomethingAboutMary_011016120_00000015.png") == "ThereIsSomethingAboutMary"
    assert datasets.sfew_film("HarryPotter_Deathly_Hallows_1_000046280_00000017.png") == "HarryPotter"
    assert datasets.sfew_film("IAmSam_013827920__00000055.png") == "IAmSam"


def test_sfew_crops_are_cut_by_the_extensions_alignment(tmp_path):
    need(datasets.SFEW)
    path, label = datasets.labelled_files(datasets.SFEW)[0]
    # Keypoints placed where a face's eyes and mouth sit in these 143×181 crops.
    found = {"keypoints": {"rightEye": {"x": 45, "y": 75}, "leftEye": {"x": 98, "y": 75}, "mouth": {"x": 71, "y": 140}}}
    template = json.loads(datasets.ALIGNMENT_TEMPLATE.read_text())["keypoints"]
    sfew, missed = datasets.load_sfew({str(path.relative_to(datasets.SFEW)): found}, template, datasets.GRAY_WEIGHTS)
    assert len(sfew) == 1 and len(missed) == 858
    assert sfew.images.shape == (1, 48, 48) and sfew.labels.tolist() == [label]
    assert sfew.images.std() > 10


def test_epoch_order_draws_every_first_part_image_once_and_the_others_by_share():
    generator = torch.Generator().manual_seed(0)
    order = epoch_order([1000, 30, 200], 0.1, generator).numpy()
    assert len(order) == 1000 + 100 + 200
    assert sorted(order[order < 1000].tolist()) == list(range(1000))
    assert ((order >= 1000) & (order < 1030)).sum() == 100
    assert ((order >= 1030) & (order < 1230)).sum() == 200
    parts = [datasets.Labelled("a", np.zeros((4, 48, 48), np.uint8), np.eye(7, dtype=np.float32)[[0, 0, 3, 3]], ("",) * 4, ("",) * 4),
             datasets.Labelled("b", np.zeros((1, 48, 48), np.uint8), np.eye(7, dtype=np.float32)[[5]], ("",), ("",))]
    counts = epoch_label_counts(parts, 0.5)
    assert counts[[0, 3, 5]].tolist() == [2, 2, 2]
