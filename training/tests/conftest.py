"""Shared fixtures: real FER2013 crops from ../shared/datasets (tests that need them skip without it)."""
from __future__ import annotations

from pathlib import Path

import pytest

from emoface_training.data import DEFAULT_DATA, LABELS


@pytest.fixture(scope="session")
def fer2013() -> Path:
    if not (DEFAULT_DATA / "train").is_dir():
        pytest.skip(f"FER2013 not found at {DEFAULT_DATA.resolve()} (../shared/datasets beside the repository)")
    return DEFAULT_DATA


@pytest.fixture(scope="session")
def small_fer(tmp_path_factory: pytest.TempPathFactory, fer2013: Path) -> Path:
    """A FER2013-layout folder with 3 real training and 2 real test crops per label (symlinks)."""
    root = tmp_path_factory.mktemp("small_fer")
    for split, per_label in (("train", 3), ("test", 2)):
        for label in LABELS:
            (root / split / label).mkdir(parents=True)
            for source in sorted((fer2013 / split / label).glob("*.jpg"))[:per_label]:
                (root / split / label / source.name).symlink_to(source.resolve())
    (root / "train" / "not_a_label").mkdir()
    return root
