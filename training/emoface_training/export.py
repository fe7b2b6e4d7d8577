"""Export a trained checkpoint to TF.js (a layers model) and write models/expression.json.

    python -m emoface_training.export --checkpoint runs/emonet_dw/final.pt

What ships: the classifier with batch norm folded into the convolutions, ReLUs fused into them where
one follows, and a softmax at the end, as a TF.js layers model (model.json + one float32 shard), so
TF.js runs fused convolutions. PyTorch pads a stride-2 3×3 convolution by one pixel on every side and
TF's 'same' does not, so those get an explicit zero padding. Before anything is written, TF.js's
wasm backend (scripts/tfjs-export.mjs, in Node) runs the model on real FER2013 crops in batches of
1, 7 and 64, and its probabilities must match PyTorch's within 1e-4.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from .data import DEFAULT_DATA, LABELS, load_cached
from .models import INPUT_SHAPE, MEAN, STD, EmoNet, ResidualBlock, build_model, count_macs, count_parameters, normalize
from .train import TRAINING_DIR, balanced_limit

PARITY_TOLERANCE = 1e-4
#: Real crops the export checks parity on.
PARITY_CROPS = 256
#: ITU-R BT.601 luma weights, what PIL's convert("L") uses; FER2013's crops are gray already.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)
ALIGNMENT_TEMPLATE = Path(__file__).with_name("alignment_template.json")
NODE_EXPORT = TRAINING_DIR / "scripts" / "tfjs-export.mjs"
MODELS_DIR = TRAINING_DIR.parent / "models"


def fold_batch_norm(module: nn.Module) -> nn.Module:
    """Fold every BatchNorm2d that directly follows a Conv2d in a Sequential into that conv (eval mode)."""
    for name, child in module.named_children():
        if isinstance(child, nn.Sequential):
            folded: list[nn.Module] = []
            for layer in child:
                if isinstance(layer, nn.BatchNorm2d) and folded and isinstance(folded[-1], nn.Conv2d):
                    folded[-1] = fuse_conv_bn_eval(folded[-1], layer)
                else:
                    folded.append(fold_batch_norm(layer))
            setattr(module, name, nn.Sequential(*folded))
        else:
            fold_batch_norm(child)
    return module


class LayerList:
    """The folded network as a flat list of TF.js layers (NHWC) and one float32 weight buffer."""

    def __init__(self) -> None:
        self.layers: list[dict] = []
        self.weights: list[np.ndarray] = []
        self.offset = 0

    def add(self, op: str, inputs: list[str], weights: list[np.ndarray] | None = None, **config) -> str:
        name = f"{op}_{len(self.layers)}"
        layer = {"op": op, "name": name, "inputs": inputs, **config}
        if weights is not None:
            layer["weights"] = []
            for array in weights:
                array = np.ascontiguousarray(array, dtype=np.float32)
                layer["weights"].append({"offset": self.offset, "shape": list(array.shape)})
                self.weights.append(array.ravel())
                self.offset += array.size
        self.layers.append(layer)
        return name

    def conv(self, conv: nn.Conv2d, x: str, activation: str) -> str:
        kernel, stride, padding = conv.kernel_size[0], conv.stride[0], conv.padding[0]
        if padding == kernel // 2 and stride == 1:
            tf_padding = "same"
        elif padding == 0:
            tf_padding = "valid"
        else:  # PyTorch pads both sides; TF's 'same' at stride 2 would pad only the end
            x = self.add("pad", [x], padding=padding)
            tf_padding = "valid"
        weight = conv.weight.detach().numpy()  # [out, in/groups, kh, kw]
        bias = conv.bias.detach().numpy() if conv.bias is not None else np.zeros(conv.out_channels, np.float32)
        if conv.groups == 1:
            return self.add("conv", [x], [weight.transpose(2, 3, 1, 0), bias], filters=conv.out_channels,
                            kernel=kernel, stride=stride, padding=tf_padding, activation=activation)
        if conv.groups == conv.in_channels == conv.out_channels:
            return self.add("depthwise", [x], [weight.transpose(2, 3, 0, 1), bias], kernel=kernel, stride=stride,
                            padding=tf_padding, activation=activation)
        raise ValueError(f"grouped convolution with {conv.groups} groups has no TF.js layer")

    def sequence(self, modules: list[nn.Module], x: str) -> str:
        index = 0
        while index < len(modules):
            module = modules[index]
            fused_relu = index + 1 < len(modules) and isinstance(modules[index + 1], nn.ReLU)
            if isinstance(module, nn.Conv2d):
                x = self.conv(module, x, "relu" if fused_relu else "linear")
                index += 2 if fused_relu else 1
                continue
            if isinstance(module, nn.ReLU):
                x = self.add("relu", [x])
            elif isinstance(module, nn.AvgPool2d):
                x = self.add("avgpool", [x], pool=module.kernel_size)
            elif isinstance(module, ResidualBlock):
                body = self.sequence(list(module.body), x)
                shortcut = x if isinstance(module.shortcut, nn.Identity) else self.sequence(list(module.shortcut), x)
                x = self.add("relu", [self.add("add", [body, shortcut])])
            elif isinstance(module, nn.Sequential):
                x = self.sequence(list(module), x)
            elif not isinstance(module, (nn.Flatten, nn.Dropout)):  # no-ops at inference in NHWC
                raise ValueError(f"{type(module).__name__} has no TF.js export")
            index += 1
        return x


def to_layers(classifier: EmoNet) -> tuple[dict, np.ndarray]:
    """(spec for scripts/tfjs-export.mjs, flat float32 weights) of a folded EmoNet, softmax included."""
    if not isinstance(classifier, EmoNet):
        raise ValueError(f"only EmoNet architectures export to TF.js, got {type(classifier).__name__}")
    layers = LayerList()
    features = layers.sequence(list(classifier.features), "input")
    pooled = layers.add("gap", [features])
    linear = [m for m in classifier.head if isinstance(m, nn.Linear)][0]
    output = layers.add("dense", [pooled], [linear.weight.detach().numpy().T, linear.bias.detach().numpy()],
                        units=linear.out_features, activation="softmax")
    spec = {"input": {"name": "input", "shape": [INPUT_SHAPE[1], INPUT_SHAPE[2], INPUT_SHAPE[0]]},
            "layers": layers.layers, "output": output, "tolerance": PARITY_TOLERANCE}
    return spec, np.concatenate(layers.weights)


@torch.no_grad()
def reference_probabilities(classifier: nn.Module, crops: np.ndarray) -> np.ndarray:
    """PyTorch's softmax probabilities [N, labels] for uint8 crops [N, H, W]."""
    return torch.softmax(classifier.eval()(normalize(torch.from_numpy(crops).unsqueeze(1))), dim=1).numpy()


def export_tfjs(classifier: nn.Module, crops: np.ndarray, out_dir: Path) -> dict:
    """Writes out_dir/model.json + weights.bin if TF.js matches PyTorch on `crops`; returns the Node report."""
    folded = fold_batch_norm(classifier.eval())
    spec, weights = to_layers(folded)
    expected = reference_probabilities(folded, crops)
    inputs = ((crops.astype(np.float32) / 255 - MEAN) / STD)[..., None]  # NHWC
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / name for name in ("spec.json", "weights.bin", "crops.bin", "expected.bin")}
        paths["spec.json"].write_text(json.dumps(spec))
        paths["weights.bin"].write_bytes(weights.astype("<f4").tobytes())
        paths["crops.bin"].write_bytes(inputs.astype("<f4").tobytes())
        paths["expected.bin"].write_bytes(expected.astype("<f4").tobytes())
        run = subprocess.run(["node", str(NODE_EXPORT), *map(str, paths.values()), str(out_dir)],
                             capture_output=True, text=True, cwd=TRAINING_DIR)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"TF.js export failed:\n{run.stderr[-2000:]}")
    report = json.loads(lines[-1])
    if run.returncode != 0:
        raise AssertionError(f"TF.js and PyTorch differ by {report['maxAbsDiff']:.2e} (> {PARITY_TOLERANCE}); nothing written")
    return report


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def metadata(checkpoint: dict, model_dir: Path, report: dict, train_counts: np.ndarray) -> dict:
    """The contents of expression.json (see ../shared/DESIGN.md, "Model metadata")."""
    config = checkpoint["config"]
    classifier = build_model(config["model"])
    relative = lambda path: path.relative_to(model_dir.parent).as_posix()  # noqa: E731
    model_json = model_dir / "model.json"
    shard = model_dir / "weights.bin"
    return {
        "format": "emoface-expression-model/2",
        "model": {
            "format": "tfjs-layers-model", "file": relative(model_json), "sha256": sha256(model_json),
            "weights": [{"file": relative(shard), "bytes": shard.stat().st_size, "sha256": sha256(shard)}],
            "architecture": config["model"], "parameters": count_parameters(classifier),
            "macsPerFace": count_macs(classifier), "bytes": model_json.stat().st_size + shard.stat().st_size,
        },
        "labels": list(LABELS),
        "input": {
            "name": "input", "layout": "NHWC", "shape": ["batch", INPUT_SHAPE[1], INPUT_SHAPE[2], INPUT_SHAPE[0]],
            "width": INPUT_SHAPE[2], "height": INPUT_SHAPE[1], "channels": INPUT_SHAPE[0], "color": "gray",
            "grayWeights": list(GRAY_WEIGHTS),
            "normalization": {"formula": "(pixel / 255 - mean) / std", "mean": MEAN, "std": STD},
        },
        "output": {"name": "probabilities", "shape": ["batch", len(LABELS)], "kind": "softmax probabilities"},
        "alignment": json.loads(ALIGNMENT_TEMPLATE.read_text()),
        "training": {
            "data": "FER2013 Training split (Kaggle image-folder layout, sharp copy of 2026-11-24)",
            "images": int(train_counts.sum()),
            "imagesPerLabel": {label: int(n) for label, n in zip(LABELS, train_counts)},
            "commit": checkpoint.get("commit", "unknown"),
            "epochs": config["epochs"], "seconds": checkpoint["metrics"]["train_seconds"],
            "threads": config["threads"], "machine": f"{platform.machine()} {os.cpu_count()} cores",
            "config": config,
            "command": f"python -m emoface_training.train --model {config['model']} --epochs {config['epochs']} --threads {config['threads']}",
        },
        "export": {"parityMaxAbsDiff": report["maxAbsDiff"], "parityCrops": report["crops"], "tolerance": PARITY_TOLERANCE,
                   "parityBackend": report["backend"], "torch": torch.__version__, "tfjs": report["tfjs"]},
    }


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def export(checkpoint_path: Path, models_dir: Path, data: str, name: str = "expression") -> dict:
    """Exports `checkpoint_path` to models_dir/<name>/ and models_dir/<name>.json; returns the metadata."""
    checkpoint = torch.load(checkpoint_path, weights_only=False)
    if tuple(checkpoint["labels"]) != LABELS:
        raise ValueError(f"{checkpoint_path}: labels {checkpoint['labels']} differ from {LABELS}")
    classifier = build_model(checkpoint["config"]["model"])
    classifier.load_state_dict(checkpoint["model"])
    test = load_cached(data, "test", TRAINING_DIR / ".cache")
    crops = balanced_limit(test, PARITY_CROPS, np.random.default_rng(0)).images
    report = export_tfjs(classifier, crops, models_dir / name)
    train = load_cached(checkpoint["config"]["data"], "train", TRAINING_DIR / ".cache")
    if checkpoint["config"].get("limit"):
        train = balanced_limit(train, checkpoint["config"]["limit"], np.random.default_rng(checkpoint["config"]["seed"]))
    meta = metadata(checkpoint, models_dir / name, report, train.counts())
    write_atomic(models_dir / f"{name}.json", (json.dumps(meta, indent=2) + "\n").encode())
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, default=TRAINING_DIR / "runs" / "emonet_dw" / "final.pt")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="folder of expression.json and expression/")
    parser.add_argument("--name", default="expression", help="writes <models>/<name>.json and <models>/<name>/")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="FER2013 folder (parity crops)")
    args = parser.parse_args(argv)
    if not args.checkpoint.is_file():
        parser.error(f"--checkpoint {args.checkpoint}: no such file (train first)")
    meta = export(args.checkpoint, args.models, args.data, args.name)
    print(f"wrote {args.models / args.name}.json and {args.models / args.name}/ ({meta['model']['bytes']} bytes, "
          f"parity {meta['export']['parityMaxAbsDiff']:.1e})", file=sys.stderr)


if __name__ == "__main__":
    main()
