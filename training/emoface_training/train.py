"""Train an expression model on FER2013, and on FER+'s votes, CK+ and SFEW beside it.

    python -m emoface_training.train --model emonet --out runs/emonet
    ... --datasets fer2013,ckplus,sfew --fer-label-weight 0.5   # several datasets (emoface_training.datasets)
    python -m emoface_training.train --help     # every Config field is a flag
    ... --teachers runs/a/final.pt,runs/b/final.pt   # also learn the trained teachers' mean prediction
    ... --init runs/a/final.pt                        # start from a trained model's weights (fine-tuning)
    torchrun --nproc-per-node 2 -m emoface_training.train ...   # several processes (DDP over gloo, CPU)

Seeded; checkpoints every epoch to <out>/last.pt (config, labels, metrics inside) and resumes
from it when run again with the same config; writes <out>/final.pt (EMA weights) at the end.
Under torchrun each process takes its share of every batch (the same batches, augmented alike from the
shared seed) and DDP averages the gradients, so N processes train as one with the whole batch, up to
batch-norm statistics (per process) and dropout; process 0 evaluates, logs and checkpoints.
Every evaluation scores FER2013's PublicTest and, when they are trained on, the held-out parts of CK+
(by subject) and SFEW (by film); their mean is the cross-dataset score.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from .augment import AugmentConfig, augment
from .data import DEFAULT_DATA, LABELS, Split, load_cached
from .datasets import Labelled, labelled_split, training_sets
from .models import build_model, count_macs, count_parameters, normalize

TRAINING_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Config:
    """Everything that defines a training run; each field is a `--flag` of the same name."""

    model: str = "emonet"  # key of models.ARCHITECTURES
    data: str = str(DEFAULT_DATA)  # FER2013 folder (train/, test/) or fer2013.csv
    out: str = str(TRAINING_DIR / "runs" / "emonet")  # checkpoints and log
    epochs: int = 100
    batch_size: int = 128
    optimizer: str = "adamw"  # "adamw" or "sgd" (Nesterov momentum)
    lr: float = 0.002  # peak learning rate
    momentum: float = 0.9  # AdamW beta1 (SGD: momentum)
    weight_decay: float = 0.05  # on conv and linear weights only
    warmup_epochs: float = 2.0  # linear warm-up, then cosine decay to zero
    label_smoothing: float = 0.1
    class_weight_power: float = 0.5  # loss weight ∝ count^-power: 0 none, 1 inverse frequency
    ema_decay: float = 0.999  # exponential moving average of weights, the model that ships
    seed: int = 0
    threads: int = 2
    limit: int = 0  # >0: train on this many images (balanced by label), for quick runs
    eval_every: int = 5  # epochs between PublicTest evaluations (and always the last)
    teachers: str = ""  # distillation: comma-separated final.pt files; their mean softened prediction is a second target
    distill_weight: float = 0.5  # share of the loss that is the teachers' (when there are teachers)
    distill_temperature: float = 2.0  # softmax temperature of the distillation term
    teacher_flip: bool = False  # the teachers' target averages the view and its mirror image (flip averaging, teachers only)
    init: str = ""  # fine-tuning: start from this final.pt's weights (same architecture) instead of random ones
    datasets: str = "fer2013"  # comma-separated: fer2013 (always first), ckplus, sfew (their held-out parts are scored)
    fer_label_weight: float = 1.0  # FER2013 image targets: this share its FER2013 label, the rest its FER+ votes
    extra_share: float = 0.05  # each dataset beside FER2013 is drawn (with repeats) this share of FER2013's size per epoch
    sfew_keypoints: str = ""  # the detector's faces in SFEW (npm run eval -- <sfew> --detect --keypoints <file>); default .cache/sfew-keypoints.json
    augment: dict = field(default_factory=lambda: dataclasses.asdict(AugmentConfig()))


def parse_config(argv: list[str] | None = None) -> tuple[Config, bool, int]:
    """(config, fresh, stop_after) from command-line flags; each flag is checked against its field's type."""
    parser = argparse.ArgumentParser(prog="emoface_training.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = Config()
    for f in dataclasses.fields(Config):
        if f.name == "augment":
            continue
        value = getattr(defaults, f.name)
        flag = f"--{f.name.replace('_', '-')}"
        if isinstance(value, bool):
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=value,
                                help=f"default {value}")
        else:
            parser.add_argument(flag, dest=f.name, type=type(value), default=value, help=f"default {value}")
    parser.add_argument("--augment", action="append", default=[], metavar="KEY=VALUE",
                        help=f"augmentation strength, keys: {', '.join(AugmentConfig.__dataclass_fields__)}")
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint in --out")
    parser.add_argument("--stop-after", type=int, default=0, metavar="EPOCHS",
                        help="stop (resumably) once this many epochs are done; 0: run to the end")
    args = vars(parser.parse_args(argv))
    fresh = args.pop("fresh")
    stop_after = args.pop("stop_after")
    augment_overrides = args.pop("augment")
    strengths = dataclasses.asdict(AugmentConfig())
    for item in augment_overrides:
        key, _, value = item.partition("=")
        if key not in strengths or not value:
            parser.error(f"--augment {item!r}: expected KEY=VALUE with KEY one of {', '.join(strengths)}")
        try:
            strengths[key] = float(value)
        except ValueError:
            parser.error(f"--augment {item!r}: {value!r} is not a number")
    config = Config(**args, augment=strengths)
    for name in ("epochs", "batch_size", "threads", "eval_every"):
        if getattr(config, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return config, fresh, stop_after


def train_command(config: dict) -> str:
    """The command line that makes a run with `config` (a checkpoint's): --model, --out relative to
    training/ (where runs are started: scripts/venv.sh), and every other flag that is not at its default."""
    defaults = dataclasses.asdict(Config())
    flags = [f"--model {config['model']}", f"--out {os.path.relpath(TRAINING_DIR / config['out'], TRAINING_DIR)}"]
    for name, value in config.items():
        if name in ("model", "out", "data") or value == defaults.get(name):
            continue
        if name == "augment":
            flags += [f"--augment {key}={value[key]:g}" for key in value if value[key] != defaults["augment"].get(key)]
        elif isinstance(value, bool):
            flags.append(f"--{'' if value else 'no-'}{name.replace('_', '-')}")
        else:
            flags.append(f"--{name.replace('_', '-')} {value}")
    return " ".join(["python -m emoface_training.train", *flags])


class EMA:
    """Exponential moving average of a model's parameters and buffers."""

    def __init__(self, model: torch.nn.Module, decay: float):
        self.decay = decay
        self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int) -> None:
        # Early on the average would be dominated by the random init: ramp the decay up.
        decay = min(self.decay, (1 + step) / (10 + step))
        for key, value in model.state_dict().items():
            if value.dtype.is_floating_point:
                self.state[key].mul_(decay).add_(value.detach(), alpha=1 - decay)
            else:
                self.state[key].copy_(value)


def class_weights(counts: np.ndarray, power: float) -> torch.Tensor:
    """Per-label loss weights ∝ count^-power, scaled so the average weight per image is 1."""
    weights = counts.astype(np.float64) ** -power
    weights *= counts.sum() / (weights * counts).sum()
    return torch.tensor(weights, dtype=torch.float32)


def balanced_limit(split: Split, limit: int, generator: np.random.Generator) -> Split:
    """A subset of `limit` images with labels as even as the data allows."""
    per_label = [np.flatnonzero(split.labels == k) for k in range(len(LABELS))]
    quota = max(1, limit // len(LABELS))
    chosen = np.concatenate([generator.permutation(index)[:quota] for index in per_label])
    return split.subset(np.sort(chosen))


@torch.no_grad()
def predict(model: torch.nn.Module, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Softmax probabilities [N, labels] for uint8 crops [N, 48, 48], as the exported model computes them."""
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        batch = torch.from_numpy(images[start:start + batch_size]).unsqueeze(1)
        out.append(torch.softmax(model(normalize(batch).contiguous(memory_format=torch.channels_last)), dim=1).numpy())
    return np.concatenate(out)


def teacher_paths(teachers: str) -> list[str]:
    """The final.pt files named in a config's `teachers` (comma-separated; blanks ignored)."""
    return [path for path in (p.strip() for p in teachers.split(",")) if path]


def load_checkpoint_model(path: str, architecture: str = "") -> torch.nn.Module:
    """The trained model in a final.pt, in eval mode; `architecture`, when given, must be the one it has."""
    checkpoint = torch.load(path, weights_only=False)
    if tuple(checkpoint["labels"]) != LABELS:
        raise SystemExit(f"{path}: labels {checkpoint['labels']} differ from {LABELS}")
    if architecture and checkpoint["config"]["model"] != architecture:
        raise SystemExit(f"{path}: holds {checkpoint['config']['model']!r}, not {architecture!r}")
    model = build_model(checkpoint["config"]["model"])
    model.load_state_dict(checkpoint["model"])
    return model.to(memory_format=torch.channels_last).eval()


def load_teachers(paths: str) -> list[torch.nn.Module]:
    """The trained models named in `paths` (comma-separated final.pt files), in eval mode."""
    return [load_checkpoint_model(path) for path in teacher_paths(paths)]


def distillation_loss(logits: torch.Tensor, inputs: torch.Tensor, teachers: list[torch.nn.Module],
                      temperature: float, flip: bool = False) -> torch.Tensor:
    """KL divergence from the teachers' mean softened prediction to the model's, scaled by T² (Hinton et al. 2015).
    With `flip` each teacher also sees the mirrored crop: the student learns the flip-averaged prediction,
    which is more accurate than a single view's, at no cost at run time."""
    views = [inputs, inputs.flip(3)] if flip else [inputs]
    with torch.no_grad():
        target = torch.stack([torch.softmax(t(v) / temperature, dim=1) for t in teachers for v in views]).mean(0)
    return F.kl_div(F.log_softmax(logits / temperature, dim=1), target, reduction="batchmean") * temperature ** 2


def make_optimizer(model: torch.nn.Module, config: Config) -> torch.optim.Optimizer:
    """SGD or AdamW; weight decay on conv and linear weights only, not on biases and batch-norm scales."""
    decayed = [p for p in model.parameters() if p.ndim > 1]
    plain = [p for p in model.parameters() if p.ndim <= 1]
    groups = [{"params": decayed, "weight_decay": config.weight_decay}, {"params": plain, "weight_decay": 0.0}]
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum, nesterov=True)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=config.lr, betas=(config.momentum, 0.999))
    raise SystemExit(f"--optimizer must be sgd or adamw, got {config.optimizer!r}")


def lr_at(step: int, total: int, warmup: int, peak: float) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


def save_atomic(obj: dict, path: Path) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, temporary)
    os.replace(temporary, path)


def git_commit() -> str:
    """The repository's HEAD commit, or "unknown" outside a git checkout."""
    try:
        return subprocess.run(["git", "-C", str(TRAINING_DIR), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def training_split(config: Config) -> Split:
    """The FER2013 images a run with `config` trains on."""
    split = load_cached(config.data, "train", TRAINING_DIR / ".cache")
    if config.limit:
        split = balanced_limit(split, config.limit, np.random.default_rng(config.seed))
    return split


def training_data(config: Config) -> tuple[list[Labelled], dict[str, Labelled]]:
    """(training parts, FER2013's first; held-out parts by dataset name) of a run with `config`."""
    names = [name.strip() for name in config.datasets.split(",") if name.strip()]
    if names == ["fer2013"] and config.fer_label_weight >= 1:
        return [labelled_split(training_split(config), "fer2013")], {}
    if config.limit:
        raise SystemExit("--limit works with FER2013 labels alone (--datasets fer2013 --fer-label-weight 1)")
    keypoints = Path(config.sfew_keypoints) if config.sfew_keypoints else TRAINING_DIR / ".cache" / "sfew-keypoints.json"
    return training_sets(names, config.fer_label_weight, keypoints, TRAINING_DIR / ".cache")


def draws_per_epoch(sizes: list[int], share: float) -> list[int]:
    """How many images of each part one epoch draws: every image of the first part once, each further part
    `share` × the first part's size (with repeats), and at least its own size."""
    return [sizes[0], *(max(size, round(share * sizes[0])) for size in sizes[1:])]


def epoch_order(sizes: list[int], share: float, generator: torch.Generator) -> torch.Tensor:
    """Indices into the parts' concatenation for one epoch, shuffled (draws_per_epoch of each part)."""
    offsets = np.cumsum([0, *sizes])
    pieces = [torch.randperm(sizes[0], generator=generator)]
    for part, draws in enumerate(draws_per_epoch(sizes, share)[1:], start=1):
        pieces.append(offsets[part] + torch.randint(sizes[part], (draws,), generator=generator))
    order = torch.cat(pieces)
    return order[torch.randperm(len(order), generator=generator)]


def epoch_label_counts(parts: list[Labelled], share: float) -> np.ndarray:
    """Expected images per label in one epoch of `epoch_order` (soft targets count fractionally)."""
    draws = draws_per_epoch([len(p) for p in parts], share)
    counts = sum(part.targets.sum(0).astype(np.float64) * n / len(part) for part, n in zip(parts, draws))
    return np.maximum(counts, 1.0)


def held_out_accuracy(model: torch.nn.Module, held: dict[str, Labelled]) -> dict[str, float]:
    """Accuracy on each held-out part, and their mean as "cross_dataset" (when there are any)."""
    scores = {name: float((predict(model, part.images).argmax(1) == part.labels).mean()) for name, part in held.items()}
    if scores:
        scores["cross_dataset"] = float(np.mean(list(scores.values())))
    return scores


@dataclass(frozen=True)
class Processes:
    """This process's place among torchrun's processes (the only one, rank 0, without torchrun)."""

    rank: int = 0
    world: int = 1

    @property
    def leader(self) -> bool:
        """Whether this process evaluates, logs and writes checkpoints."""
        return self.rank == 0

    def share(self, batch: torch.Tensor) -> torch.Tensor:
        """This process's rows of a batch (every world-th, from its rank)."""
        return batch[self.rank::self.world]

    def total(self, *values: float) -> list[float]:
        """Each value summed over every process."""
        if self.world == 1:
            return list(values)
        summed = torch.tensor(values, dtype=torch.float64)
        torch.distributed.all_reduce(summed)
        return summed.tolist()

    def wait_for_all(self) -> None:
        if self.world > 1:
            torch.distributed.barrier()


def join_processes() -> Processes:
    """Joins torchrun's process group (gloo: CPU) when there is one (WORLD_SIZE > 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Processes()
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("gloo")
    return Processes(torch.distributed.get_rank(), world)


def train(config: Config, fresh: bool = False, stop_after: int = 0) -> dict | None:
    """Run (or resume) training. Returns the final checkpoint dict (also saved as <out>/final.pt),
    or None when `stop_after` epochs are done first (run again to continue). Under torchrun only process 0
    evaluates and writes; every process returns once final.pt is written."""
    processes = join_processes()
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    parts, held = training_data(config)
    test_split = load_cached(config.data, "test", TRAINING_DIR / ".cache")

    model = build_model(config.model).to(memory_format=torch.channels_last)
    if config.init:
        model.load_state_dict(load_checkpoint_model(config.init, config.model).state_dict())
    network = DistributedDataParallel(model) if processes.world > 1 else model
    optimizer = make_optimizer(model, config)
    ema = EMA(model, config.ema_decay)
    generator = torch.Generator().manual_seed(config.seed)
    steps_per_epoch = math.ceil(sum(draws_per_epoch([len(p) for p in parts], config.extra_share)) / config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = int(config.warmup_epochs * steps_per_epoch)
    weights = class_weights(epoch_label_counts(parts, config.extra_share), config.class_weight_power)
    augment_config = AugmentConfig(**config.augment)
    teachers = load_teachers(config.teachers)
    history: list[dict] = []
    start_epoch = 0
    elapsed = 0.0

    checkpoint_path = out / "last.pt"
    if checkpoint_path.exists() and not fresh:
        checkpoint = torch.load(checkpoint_path, weights_only=False)
        # A flag added after the checkpoint was made counts as given at its default.
        if {**dataclasses.asdict(Config()), **checkpoint["config"]} != dataclasses.asdict(config):
            raise SystemExit(f"{checkpoint_path}: was made with a different config; use --fresh or another --out")
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        ema.state = checkpoint["ema"]
        generator.set_state(checkpoint["generator"])
        if "torch_rng" in checkpoint:  # dropout's random stream
            torch.set_rng_state(checkpoint["torch_rng"])
        history, start_epoch, elapsed = checkpoint["history"], checkpoint["epoch"], checkpoint["seconds"]
        if processes.leader:
            print(f"resuming {checkpoint_path} after epoch {start_epoch}", file=sys.stderr)

    images = torch.from_numpy(np.concatenate([p.images for p in parts])).unsqueeze(1)
    targets = torch.from_numpy(np.concatenate([p.targets for p in parts]))
    labels = targets.argmax(1)
    # Hard labels take cross-entropy's class-index form (its weighted mean divides by the batch's weights).
    hard_labels = bool((targets.max(1).values == 1).all())
    log = (out / "log.jsonl").open("a") if processes.leader else None
    for epoch in range(start_epoch, config.epochs):
        began = time.perf_counter()
        model.train()
        order = epoch_order([len(p) for p in parts], config.extra_share, generator)
        seen = correct = 0
        loss_sum = 0.0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{config.epochs}", file=sys.stderr,
                   leave=False, disable=None if processes.leader else True)
        for index in bar:
            step = epoch * steps_per_epoch + index
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, total_steps, warmup_steps, config.lr)
            batch = order[index * config.batch_size:(index + 1) * config.batch_size]
            # Every process augments the whole batch (the same random draws), then keeps its share.
            x = processes.share(augment(images[batch].float() / 255, generator, augment_config))
            batch = processes.share(batch)
            x = (x * 255).round()  # back to the pixel grid the crop would have at run time
            inputs = normalize(x).contiguous(memory_format=torch.channels_last)
            logits = network(inputs)
            loss = F.cross_entropy(logits, labels[batch] if hard_labels else targets[batch], weight=weights,
                                   label_smoothing=config.label_smoothing)
            if teachers:
                soft = distillation_loss(logits, inputs, teachers, config.distill_temperature, config.teacher_flip)
                loss = (1 - config.distill_weight) * loss + config.distill_weight * soft
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            ema.update(model, step)
            seen += len(batch)
            correct += int((logits.argmax(1) == labels[batch]).sum())
            loss_sum += loss.item() * len(batch)
            bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.3f}")
        elapsed += time.perf_counter() - began
        seen, correct, loss_sum = processes.total(seen, correct, loss_sum)
        record = {"epoch": epoch + 1, "images": int(seen), "loss": loss_sum / seen, "train_accuracy": correct / seen,
                  "lr": optimizer.param_groups[0]["lr"], "seconds": round(elapsed, 1)}
        history.append(record)
        if processes.leader:
            if (epoch + 1) % config.eval_every == 0 or epoch + 1 == config.epochs:
                shipped = build_model(config.model)
                shipped.load_state_dict(ema.state)
                probabilities = predict(shipped, test_split.images)
                record["test_accuracy"] = float((probabilities.argmax(1) == test_split.labels).mean())
                record.update({f"{name}_accuracy": score for name, score in held_out_accuracy(shipped, held).items()})
            log.write(json.dumps(record) + "\n")
            log.flush()
            print(json.dumps(record), file=sys.stderr)
            save_atomic({"config": dataclasses.asdict(config), "labels": LABELS, "epoch": epoch + 1,
                         "model": model.state_dict(), "optimizer": optimizer.state_dict(), "ema": ema.state,
                         "generator": generator.get_state(), "torch_rng": torch.get_rng_state(), "history": history,
                         "seconds": elapsed}, checkpoint_path)
        if stop_after and epoch + 1 >= stop_after and epoch + 1 < config.epochs:
            if log:
                log.close()
                print(f"stopped after epoch {epoch + 1}; run again to resume", file=sys.stderr)
            processes.wait_for_all()
            return None
    if log:
        log.close()

    shipped = build_model(config.model)
    shipped.load_state_dict(ema.state)
    final = {
        "config": dataclasses.asdict(config), "labels": LABELS, "model": shipped.state_dict(),
        "history": history, "commit": git_commit(),
        "metrics": {"test_accuracy": history[-1].get("test_accuracy"), "train_seconds": round(elapsed, 1),
                    **{key: value for key, value in history[-1].items() if key.endswith("_accuracy") and key not in ("test_accuracy", "train_accuracy")},
                    "epochs": config.epochs, "train_images": sum(len(p) for p in parts),
                    "parameters": count_parameters(shipped), "macs": count_macs(shipped)},
    }
    if processes.leader:
        save_atomic(final, out / "final.pt")
    processes.wait_for_all()
    return final


def main(argv: list[str] | None = None) -> None:
    config, fresh, stop_after = parse_config(argv)
    final = train(config, fresh, stop_after)
    leader = True
    if torch.distributed.is_initialized():
        leader = torch.distributed.get_rank() == 0
        torch.distributed.destroy_process_group()
    if final and leader:
        print(json.dumps(final["metrics"]))


if __name__ == "__main__":
    main()
