"""FER2013 loading: the Kaggle image-folder layout and the original fer2013.csv.

Both give the same thing: uint8 images [N, 48, 48] and int64 labels [N] in the
canonical label order `LABELS`, which is the order of the model's outputs and
of the `labels` list in models/expression.json.
"""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

#: Canonical label order (alphabetical, as the image-folder layout lists them).
LABELS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")

#: fer2013.csv's `emotion` codes, in code order (0 = Angry … 6 = Neutral).
CSV_CODES: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

#: Split name → the csv's `Usage` value and the image folder's subfolder.
SPLITS: dict[str, tuple[str, str]] = {
    "train": ("Training", "train"),
    "test": ("PublicTest", "test"),
    "private": ("PrivateTest", "private"),
}

IMAGE_SIZE = 48
DEFAULT_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fer2013"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


@dataclass(frozen=True)
class Split:
    """One split of FER2013 in memory."""

    images: np.ndarray  # uint8 [N, 48, 48]
    labels: np.ndarray  # int64 [N], indices into LABELS
    paths: tuple[str, ...]  # source of each image (file path or "csv:<row>")

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> np.ndarray:
        """Images per label, in LABELS order."""
        return np.bincount(self.labels, minlength=len(LABELS))

    def subset(self, index: np.ndarray) -> "Split":
        return Split(self.images[index], self.labels[index], tuple(self.paths[i] for i in index))


def load_split(source: str | Path, split: str) -> Split:
    """Load `split` ("train", "test" or "private") from a folder or a fer2013.csv."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    source = Path(source)
    if source.is_file():
        return _load_csv(source, SPLITS[split][0])
    if source.is_dir():
        folder = source / SPLITS[split][1]
        if not folder.is_dir():
            raise FileNotFoundError(f"{source}: has no {SPLITS[split][1]}/ folder for split {split!r}")
        return load_folder(folder)
    raise FileNotFoundError(f"{source}: no such FER2013 folder or csv file")


def load_folder(folder: str | Path) -> Split:
    """Load every image under `folder/<label>/`; folders not named by a label are ignored."""
    folder = Path(folder)
    images, labels, paths = [], [], []
    for index, label in enumerate(LABELS):
        for path in sorted((folder / label).glob("*")) if (folder / label).is_dir() else []:
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            images.append(read_gray(path))
            labels.append(index)
            paths.append(str(path))
    if not images:
        raise FileNotFoundError(f"{folder}: no images in any of the label folders {', '.join(LABELS)}")
    return Split(np.stack(images), np.asarray(labels, dtype=np.int64), tuple(paths))


def read_gray(path: Path) -> np.ndarray:
    """A uint8 gray image [48, 48] from an image file (resized bilinearly when it has another size)."""
    with Image.open(path) as image:
        gray = image.convert("L")
        if gray.size != (IMAGE_SIZE, IMAGE_SIZE):
            gray = gray.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BILINEAR, reducing_gap=None)
        return np.asarray(gray, dtype=np.uint8)


def _load_csv(path: Path, usage: str) -> Split:
    images, labels, paths = [], [], []
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        missing = {"emotion", "pixels", "Usage"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row_number, row in enumerate(reader, start=2):
            if row["Usage"] != usage:
                continue
            pixels = np.array(row["pixels"].split(), dtype=np.uint8)
            if pixels.size != IMAGE_SIZE * IMAGE_SIZE:
                raise ValueError(f"{path}:{row_number}: expected {IMAGE_SIZE * IMAGE_SIZE} pixels, got {pixels.size}")
            images.append(pixels.reshape(IMAGE_SIZE, IMAGE_SIZE))
            labels.append(LABELS.index(CSV_CODES[int(row["emotion"])]))
            paths.append(f"{path}:{row_number}")
    if not images:
        raise ValueError(f"{path}: no rows with Usage {usage!r}")
    return Split(np.stack(images), np.asarray(labels, dtype=np.int64), tuple(paths))


def load_cached(source: str | Path, split: str, cache_dir: str | Path) -> Split:
    """`load_split`, memoised as an .npz keyed by the source's path, size and mtime."""
    source = Path(source).resolve()
    stamp = source / SPLITS[split][1] if source.is_dir() else source
    key_text = f"{source}|{split}|{stamp.stat().st_mtime_ns if stamp.exists() else 0}"
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]

    def arrays() -> dict[str, np.ndarray]:
        data = load_split(source, split)
        return {"images": data.images, "labels": data.labels, "paths": np.asarray(data.paths)}

    stored = memoised_arrays(Path(cache_dir) / f"fer2013-{split}-{key}.npz", arrays)
    return Split(stored["images"], stored["labels"], tuple(stored["paths"].tolist()))


def memoised_arrays(path: Path, make: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays stored in the .npz at `path`; when there is none, `make()`'s, stored there first (atomically)."""
    if path.exists():
        with np.load(path) as stored:
            return {name: stored[name] for name in stored.files}
    arrays = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npz")
    np.savez(temporary, **arrays)
    temporary.replace(path)
    return arrays
