"""The datasets beside FER2013 in ../shared/datasets: FER+ votes, CK+ (48×48 crops) and SFEW 2.0 (film stills).

Each reader gives a `Labelled` set: uint8 gray 48×48 crops, a label distribution per image in the
canonical `LABELS` order (one-hot for hard labels, the annotators' votes for FER+), and the group each
image belongs to (CK+: its subject; SFEW: its film), so that held-out parts never share a person or a
film with training. Held-out parts are fixed by rule (`held_out_groups`), not drawn at random.

    python -m emoface_training.datasets heldout --out .cache/heldout   # <out>/<dataset>/<label>/ symlinks for npm run eval
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .data import DEFAULT_DATA, IMAGE_SIZE, LABELS, Split, load_cached, memoised_arrays, read_gray
from .models import ALIGNMENT_TEMPLATE, GRAY_WEIGHTS

SHARED = DEFAULT_DATA.parent
FERPLUS = SHARED / "ferplus"
CKPLUS = SHARED / "ckplus48"
SFEW = SHARED / "sfew"

#: FER+'s ten vote columns, in label.csv's order.
FERPLUS_VOTES: tuple[str, ...] = ("neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear",
                                  "contempt", "unknown", "NF")
#: FER+'s name for each of our labels (contempt, unknown and not-a-face have none).
FERPLUS_NAMES = {"angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "happiness",
                 "neutral": "neutral", "sad": "sadness", "surprise": "surprise"}
#: A FER+ image is kept when at least this many of its ten votes name one of our seven labels.
FERPLUS_MIN_VOTES = 6
#: One group in this many is held out, counted over the sorted group names (subjects, films).
HELD_OUT_EVERY = 3


@dataclass(frozen=True)
class Labelled:
    """Images with label distributions and the group (person or film) each belongs to."""

    name: str
    images: np.ndarray  # uint8 [N, 48, 48]
    targets: np.ndarray  # float32 [N, labels], rows sum to 1
    groups: tuple[str, ...]
    paths: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.targets)

    @property
    def labels(self) -> np.ndarray:
        """The most likely label of each image (int64 [N])."""
        return self.targets.argmax(1)

    def subset(self, index: np.ndarray) -> "Labelled":
        return Labelled(self.name, self.images[index], self.targets[index],
                        tuple(self.groups[i] for i in index), tuple(self.paths[i] for i in index))

    def split(self) -> tuple["Labelled", "Labelled"]:
        """(training part, held-out part) by `held_out_groups`."""
        held = held_out_groups(self.groups)
        mask = np.array([g in held for g in self.groups])
        return self.subset(np.flatnonzero(~mask)), self.subset(np.flatnonzero(mask))


def held_out_groups(groups: tuple[str, ...] | list[str]) -> set[str]:
    """Every HELD_OUT_EVERY-th group of the sorted distinct names, starting with the first."""
    return set(sorted(set(groups))[::HELD_OUT_EVERY])


def one_hot(labels: np.ndarray) -> np.ndarray:
    return np.eye(len(LABELS), dtype=np.float32)[labels]


def ferplus_distribution(votes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(targets [N, labels], kept mask [N]) from FER+ vote counts [N, 10]: the votes for our seven labels,
    normalised; an image is kept when FERPLUS_MIN_VOTES or more of its votes name one of them."""
    columns = [FERPLUS_VOTES.index(FERPLUS_NAMES[label]) for label in LABELS]
    ours = votes[:, columns].astype(np.float32)
    total = ours.sum(1)
    kept = total >= FERPLUS_MIN_VOTES
    return ours / np.maximum(total, 1)[:, None], kept


def load_ferplus(split: str = "train", root: Path = FERPLUS) -> Labelled:
    """FER+ `split` ("train" or "valid"): FER2013's images with the annotators' vote distributions."""
    folder = root / split
    with (folder / "label.csv").open(newline="") as file:
        rows = [row for row in csv.reader(file) if row]
    names = [row[0] for row in rows]
    votes = np.array([[int(v) for v in row[2:12]] for row in rows], dtype=np.int64)
    if votes.shape[1] != len(FERPLUS_VOTES):
        raise ValueError(f"{folder / 'label.csv'}: expected {len(FERPLUS_VOTES)} vote columns")
    targets, kept = ferplus_distribution(votes)
    index = np.flatnonzero(kept)
    images = np.stack([read_gray(folder / names[i]) for i in index])
    return Labelled(f"ferplus-{split}", images, targets[index], tuple(names[i] for i in index),
                    tuple(str(folder / names[i]) for i in index))


def labelled_files(root: Path) -> list[tuple[Path, int]]:
    """(path, label index) of every PNG under `root`/<label>/ (CK+, SFEW), sorted within each label;
    folders of other labels (CK+'s contempt) are left out."""
    return [(path, index) for index, label in enumerate(LABELS)
            for path in (sorted((root / label).glob("*.png")) if (root / label).is_dir() else [])]


def ckplus_subject(name: str) -> str:
    """The person a CK+ file shows: S<subject> from S<subject>_<sequence>_<frame>.png."""
    return name.split("_")[0]


def load_ckplus(root: Path = CKPLUS) -> Labelled:
    """CK+ 48×48 crops of our labels (contempt has no slot and is left out), grouped by subject."""
    files = labelled_files(root)
    if not files:
        raise FileNotFoundError(f"{root}: no CK+ images in any of the label folders {', '.join(LABELS)}")
    return Labelled("ckplus", np.stack([read_gray(path) for path, _ in files]), one_hot(np.array([i for _, i in files])),
                    tuple(ckplus_subject(path.name) for path, _ in files), tuple(str(path) for path, _ in files))


#: SFEW films of one series, sharing a cast: grouped as one, so no actor is both trained on and held out.
SFEW_SERIES = ("HarryPotter", "Oceans")


def sfew_film(name: str) -> str:
    """The film (or film series) an SFEW file comes from: its name before the frame numbers
    ("IAmSam_013827920__00000055.png", "OceansTwelve-001817760_00000010.png")."""
    match = re.match(r"(.+?)[-_]+\d+_+\d+\.\w+$", name)
    film = match.group(1) if match else name
    return next((series for series in SFEW_SERIES if film.startswith(series)), film)


def load_sfew(keypoints: dict, template: dict, gray_weights: tuple[float, float, float],
              root: Path = SFEW) -> tuple[Labelled, list[str]]:
    """SFEW's colour stills cut into 48×48 gray crops by the extension's own alignment, from the faces the
    extension's detector found (`keypoints`: `npm run eval -- <sfew> --detect --keypoints`, keyed by the
    path relative to `root`). Returns the crops, grouped by film, and the files with no face found."""
    from .align import align_face

    images, labels, groups, paths, missed = [], [], [], [], []
    for path, index in labelled_files(root):
        found = keypoints.get(str(path.relative_to(root)))
        if not found:
            missed.append(str(path))
            continue
        with Image.open(path) as image:
            rgb = np.asarray(image.convert("RGB"))
        points = {name: (p["x"], p["y"]) for name, p in found["keypoints"].items()}
        images.append(align_face(rgb, points, template, IMAGE_SIZE, IMAGE_SIZE, gray_weights))
        labels.append(index)
        groups.append(sfew_film(path.name))
        paths.append(str(path))
    return Labelled("sfew", np.stack(images), one_hot(np.array(labels)), tuple(groups), tuple(paths)), missed


def fer2013_with_ferplus(cache_dir: Path, fer_weight: float) -> Labelled:
    """FER2013's Training split with each image's target mixing its FER2013 label (share `fer_weight`) and
    its FER+ vote distribution (the rest). FER+ names its files differently, so images are matched by
    pixels (nearest_images: the two copies differ in tone, so by rank correlation); an image FER+ dropped or
    that has no FER+ match keeps its FER2013 label alone."""
    fer = load_cached(DEFAULT_DATA, "train", cache_dir)
    plus = load_ferplus("train")
    match, similarity = nearest_images(fer.images, plus.images)
    matched = similarity >= MATCH_MIN_CORRELATION
    targets = one_hot(fer.labels)
    targets[matched] = fer_weight * targets[matched] + (1 - fer_weight) * plus.targets[match[matched]]
    return Labelled("fer2013+ferplus", fer.images, targets, tuple(fer.paths), tuple(fer.paths))


#: Rank correlation above which a FER2013 crop is taken for a FER+ image. The two copies differ in tone,
#: not only by JPEG noise, so pixels are compared by rank (as after histogram equalization): the same
#: face scores 0.998 at the median, and 95 % of FER2013's crops find a FER+ image above 0.9.
MATCH_MIN_CORRELATION = 0.9


def nearest_images(queries: np.ndarray, references: np.ndarray, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """For each uint8 image in `queries` [N, H, W], the index of the most similar in `references` [M, H, W]
    and their rank correlation (Spearman, over all pixels)."""
    def standardized(images: np.ndarray) -> np.ndarray:
        flat = images.reshape(len(images), -1).argsort(1).argsort(1).astype(np.float32)
        flat -= flat.mean(1, keepdims=True)
        return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)

    q, r = standardized(queries), standardized(references)
    index = np.empty(len(q), dtype=np.int64)
    correlation = np.empty(len(q), dtype=np.float32)
    for start in range(0, len(q), chunk):
        scores = q[start:start + chunk] @ r.T
        index[start:start + chunk] = scores.argmax(1)
        correlation[start:start + chunk] = scores.max(1)
    return index, correlation


def labelled_split(split: Split, name: str) -> Labelled:
    """A FER2013 split as a Labelled set (hard labels; every image its own group)."""
    return Labelled(name, split.images, one_hot(split.labels), tuple(split.paths), tuple(split.paths))


def cached(name: str, cache_dir: Path, make: Callable[[], Labelled], *key_parts: str) -> Labelled:
    """`make()`, memoised as an .npz in `cache_dir` under `name` and a hash of `key_parts`."""
    key = hashlib.sha256("|".join(key_parts).encode()).hexdigest()[:16]

    def arrays() -> dict[str, np.ndarray]:
        data = make()
        return {"name": np.asarray(data.name), "images": data.images, "targets": data.targets,
                "groups": np.asarray(data.groups), "paths": np.asarray(data.paths)}

    stored = memoised_arrays(Path(cache_dir) / f"{name}-{key}.npz", arrays)
    return Labelled(str(stored["name"]), stored["images"], stored["targets"],
                    tuple(stored["groups"].tolist()), tuple(stored["paths"].tolist()))


#: The datasets a training run can name, FER2013 first (it is always trained on).
DATASET_NAMES = ("fer2013", "ckplus", "sfew")


def training_sets(names: list[str], fer_label_weight: float, sfew_keypoints: Path,
                  cache_dir: Path) -> tuple[list[Labelled], dict[str, Labelled]]:
    """(the training parts, FER2013's first; the held-out parts by dataset name) of the named datasets.
    FER2013's targets mix its labels with FER+'s votes when `fer_label_weight` < 1."""
    unknown = [name for name in names if name not in DATASET_NAMES]
    if unknown or not names or names[0] != "fer2013":
        raise ValueError(f"datasets must start with fer2013 and name only {', '.join(DATASET_NAMES)}; got {','.join(names)}")
    if fer_label_weight < 1:
        fer = cached("fer2013-ferplus", cache_dir, lambda: fer2013_with_ferplus(cache_dir, fer_label_weight),
                     f"{fer_label_weight}", str(DEFAULT_DATA.resolve()), str(FERPLUS.resolve()))
    else:
        fer = labelled_split(load_cached(DEFAULT_DATA, "train", cache_dir), "fer2013")
    train, held = [fer], {}
    for name in names[1:]:
        if name == "ckplus":
            data = load_ckplus()
        else:
            if not sfew_keypoints.is_file():
                raise FileNotFoundError(f"{sfew_keypoints}: no SFEW detections; make them with "
                                        f"npm run eval -- {SFEW} --detect --keypoints {sfew_keypoints}")
            template = json.loads(ALIGNMENT_TEMPLATE.read_text())["keypoints"]
            data, _ = load_sfew(json.loads(sfew_keypoints.read_text()), template, GRAY_WEIGHTS)
        part, held[name] = data.split()
        train.append(part)
    return train, held


def write_held_out(out: Path) -> dict[str, int]:
    """<out>/ckplus/<label>/ and <out>/sfew/<label>/: symlinks to the held-out images, as `npm run eval`
    reads folders. Returns the number of images of each."""
    counts = {}
    for name, root, group in (("ckplus", CKPLUS, ckplus_subject), ("sfew", SFEW, sfew_film)):
        files = labelled_files(root)
        held = held_out_groups([group(path.name) for path, _ in files])
        held_files = [(path, index) for path, index in files if group(path.name) in held]
        for path, index in held_files:
            link = out / name / LABELS[index] / path.name
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(path.resolve())
        counts[name] = len(held_files)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.datasets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    heldout = commands.add_parser("heldout", help="symlink the held-out parts of CK+ and SFEW for npm run eval")
    heldout.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "heldout":
        print(json.dumps(write_held_out(args.out)))


if __name__ == "__main__":
    main()
