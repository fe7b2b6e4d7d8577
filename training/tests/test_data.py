import csv

import numpy as np
import pytest

from emoface_training.data import CSV_CODES, LABELS, load_folder, load_split


def test_label_order_is_canonical_and_csv_codes_cover_it():
    assert LABELS == ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")
    assert sorted(CSV_CODES) == sorted(LABELS)
    assert CSV_CODES[3] == "happy" and CSV_CODES[6] == "neutral"  # fer2013.csv's published codes


def test_folder_layout_loads_real_crops(small_fer):
    train = load_split(small_fer, "train")
    assert train.images.shape == (3 * len(LABELS), 48, 48) and train.images.dtype == np.uint8
    assert train.counts().tolist() == [3] * len(LABELS)
    assert all(f"/{LABELS[label]}/" in path for label, path in zip(train.labels, train.paths))
    assert train.images.std() > 10  # real faces, not blank images


def test_csv_loads_the_same_pixels_and_labels(small_fer, tmp_path):
    folder = {split: load_split(small_fer, split) for split in ("train", "test")}
    csv_path = tmp_path / "fer2013.csv"
    with csv_path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["emotion", "pixels", "Usage"])
        for split, usage in (("train", "Training"), ("test", "PublicTest")):
            for image, label in zip(folder[split].images, folder[split].labels):
                writer.writerow([CSV_CODES.index(LABELS[label]), " ".join(map(str, image.ravel())), usage])
    for split in ("train", "test"):
        from_csv = load_split(csv_path, split)
        np.testing.assert_array_equal(from_csv.images, folder[split].images)
        np.testing.assert_array_equal(from_csv.labels, folder[split].labels)
    with pytest.raises(ValueError, match="PrivateTest"):
        load_split(csv_path, "private")


def test_bad_sources_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such FER2013"):
        load_split(tmp_path / "missing", "train")
    with pytest.raises(FileNotFoundError, match="no train/ folder"):
        load_split(tmp_path, "train")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("emotion,Usage\n0,Training\n")
    with pytest.raises(ValueError, match="missing column.*pixels"):
        load_split(bad_csv, "train")
    with pytest.raises(ValueError, match="split must be one of"):
        load_split(bad_csv, "validation")
    (tmp_path / "empty" / "happy").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="no images"):
        load_folder(tmp_path / "empty")
