"""Export a trained checkpoint to TF.js (a graph model) and write models/expression.json.

    python -m emoface_training.export --checkpoint runs/emonet_wide_kd/final.pt

What ships: the classifier with batch norm folded into the convolutions, as a TF.js graph model
(model.json + one shard) of fused ops, as TF.js's own converter writes them: each convolution with its
bias and a following ReLU is one `_FusedConv2D` or `FusedDepthwiseConv2dNative`, a depthwise
convolution's bias is carried into the pointwise convolution after it, PyTorch's one-pixel padding of a
stride-2 convolution is the op's explicit padding, and the classifier is `_FusedMatMul` + `Softmax`.
Before anything is written, TF.js's wasm backend (scripts/tfjs-parity.mjs, in Node) loads the model and
runs it on real FER2013 crops in batches of 1, 7 and 64, and its probabilities must match PyTorch's
within 1e-4.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from base64 import b64encode
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from .data import DEFAULT_DATA, LABELS, load_cached
from .models import ALIGNMENT_TEMPLATE, GRAY_WEIGHTS, INPUT_SHAPE, MEAN, STD, EmoNet, ResidualBlock, build_model, count_macs, count_parameters, normalize
from .train import TRAINING_DIR, Config, balanced_limit, teacher_paths, train_command, training_data

PARITY_TOLERANCE = 1e-4
#: How a run's own PublicTest figure was taken (the last epoch's evaluation in train.py).
LOGGED_PUBLIC_TEST = "PyTorch, at its last epoch, as its run logged it"
#: Real crops the export checks parity on.
PARITY_CROPS = 256
NODE_PARITY = TRAINING_DIR / "scripts" / "tfjs-parity.mjs"
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


class Graph:
    """The folded network as TF.js graph-model nodes (NHWC) and their constant weights, in shard order."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.weights: list[tuple[str, np.ndarray]] = []

    def const(self, name: str, array: np.ndarray) -> str:
        array = np.ascontiguousarray(array)
        dtype = "DT_INT32" if array.dtype == np.int32 else "DT_FLOAT"
        self.nodes.append({"name": name, "op": "Const", "attr": {
            "value": {"tensor": {"dtype": dtype, "tensorShape": shape_attr(array.shape)}}, "dtype": {"type": dtype}}})
        self.weights.append((name, array if dtype == "DT_INT32" else array.astype(np.float32)))
        return name

    def op(self, op: str, inputs: list[str], **attr) -> str:
        name = f"{op.strip('_').lower()}_{len(self.nodes)}"
        self.nodes.append({"name": name, "op": op, "input": inputs, "attr": {"T": {"type": "DT_FLOAT"}, **attr}})
        return name

    def conv(self, conv: nn.Conv2d, x: str, relu: bool, bias: bool = True) -> str:
        """One convolution, its bias (unless `bias` is false) and an optional ReLU fused into one op."""
        stride, padding = conv.stride[0], conv.padding[0]
        weight = conv.weight.detach().numpy()  # [out, in/groups, kh, kw]
        b = conv.bias.detach().numpy() if conv.bias is not None else np.zeros(conv.out_channels, np.float32)
        if conv.groups == 1:
            op, kernel = "_FusedConv2D", weight.transpose(2, 3, 1, 0)
        elif conv.groups == conv.in_channels == conv.out_channels:
            op, kernel = "FusedDepthwiseConv2dNative", weight.transpose(2, 3, 0, 1)
        else:
            raise ValueError(f"grouped convolution with {conv.groups} groups has no TF.js op")
        name = f"conv_{len(self.nodes)}"
        inputs = [x, self.const(f"{name}/kernel", kernel), *([self.const(f"{name}/bias", b)] if bias else [])]
        fused = [*(["BiasAdd"] if bias else []), *(["Relu"] if relu else [])]
        if not fused:  # a plain depthwise convolution
            op = "DepthwiseConv2dNative"
        attr = {
            "strides": ints([1, stride, stride, 1]), "dilations": ints([1, 1, 1, 1]), "data_format": text("NHWC"),
            "padding": text("EXPLICIT" if padding else "VALID"),
            **({"explicit_paddings": ints([0, 0, padding, padding, padding, padding, 0, 0])} if padding else {}),
            **({"fused_ops": {"list": {"s": [base64(f) for f in fused]}}, "num_args": {"i": str(int(bias))}} if fused else {}),
        }
        return self.op(op, inputs, **attr)

    def sequence(self, modules: list[nn.Module], x: str) -> str:
        index = 0
        while index < len(modules):
            module = modules[index]
            following = modules[index + 1] if index + 1 < len(modules) else None
            if isinstance(module, nn.Conv2d):
                if carries_bias_forward(module, following):
                    # pointwise(depthwise(x) + b) = pointwise(depthwise(x)) + W·b: one bias-add fewer.
                    x = self.conv(module, x, relu=False, bias=False)
                    modules = [*modules[:index + 1], fold_bias_forward(module, following), *modules[index + 2:]]
                    index += 1
                    continue
                relu = isinstance(following, nn.ReLU)
                x = self.conv(module, x, relu)
                index += 2 if relu else 1
                continue
            if isinstance(module, nn.ReLU):
                x = self.op("Relu", [x])
            elif isinstance(module, nn.AvgPool2d):
                size = module.kernel_size
                x = self.op("AvgPool", [x], ksize=ints([1, size, size, 1]), strides=ints([1, size, size, 1]),
                            padding=text("VALID"), data_format=text("NHWC"))
            elif isinstance(module, ResidualBlock):
                body = self.sequence(list(module.body), x)
                shortcut = x if isinstance(module.shortcut, nn.Identity) else self.sequence(list(module.shortcut), x)
                x = self.op("Relu", [self.op("AddV2", [body, shortcut])])
            elif isinstance(module, nn.Sequential):
                x = self.sequence(list(module), x)
            elif not isinstance(module, (nn.Flatten, nn.Dropout)):  # no-ops at inference
                raise ValueError(f"{type(module).__name__} has no TF.js export")
            index += 1
        return x


def shape_attr(shape: tuple[int, ...]) -> dict:
    return {"dim": [{"size": str(size)} for size in shape]}


def ints(values: list[int]) -> dict:
    return {"list": {"i": [str(v) for v in values]}}


def base64(value: str) -> str:
    return b64encode(value.encode()).decode()


def text(value: str) -> dict:
    return {"s": base64(value)}


def is_depthwise(module: nn.Module | None) -> bool:
    return isinstance(module, nn.Conv2d) and module.groups == module.in_channels == module.out_channels and module.groups > 1


def is_pointwise(module: nn.Module | None) -> bool:
    return isinstance(module, nn.Conv2d) and module.kernel_size == (1, 1) and module.stride == (1, 1) and module.groups == 1


def carries_bias_forward(module: nn.Module | None, following: nn.Module | None) -> bool:
    """The export's rule: a depthwise convolution straight before a pointwise one has no bias of its own
    in the graph; the pointwise one carries it (fold_bias_forward)."""
    return is_depthwise(module) and is_pointwise(following)


def fold_bias_forward(depthwise: nn.Conv2d, pointwise: nn.Conv2d) -> nn.Conv2d:
    """A copy of `pointwise` whose bias also carries `depthwise`'s bias through it."""
    folded = nn.Conv2d(pointwise.in_channels, pointwise.out_channels, 1, bias=True)
    with torch.no_grad():
        folded.weight.copy_(pointwise.weight)
        carried = pointwise.weight[:, :, 0, 0] @ depthwise.bias if depthwise.bias is not None else 0
        folded.bias.copy_((pointwise.bias if pointwise.bias is not None else 0) + carried)
    return folded


def to_graph(classifier: EmoNet) -> tuple[dict, list[tuple[str, np.ndarray]]]:
    """(model.json without its weight paths, [(name, array)] in shard order) of a folded EmoNet, softmax included."""
    if not isinstance(classifier, EmoNet):
        raise ValueError(f"only EmoNet architectures export to TF.js, got {type(classifier).__name__}")
    graph = Graph()
    height, width, channels = INPUT_SHAPE[1], INPUT_SHAPE[2], INPUT_SHAPE[0]
    graph.nodes.append({"name": "input", "op": "Placeholder", "attr": {
        "dtype": {"type": "DT_FLOAT"}, "shape": {"shape": shape_attr((-1, height, width, channels))}}})
    features = graph.sequence(list(classifier.features), "input")
    pooled = graph.op("Mean", [features, graph.const("pool/axes", np.array([1, 2], np.int32))], keep_dims={"b": False})
    linear = [m for m in classifier.head if isinstance(m, nn.Linear)][0]
    logits = graph.op("_FusedMatMul", [pooled, graph.const("dense/kernel", linear.weight.detach().numpy().T),
                                        graph.const("dense/bias", linear.bias.detach().numpy())],
                      transpose_a={"b": False}, transpose_b={"b": False}, num_args={"i": "1"},
                      fused_ops={"list": {"s": [base64("BiasAdd")]}})
    output = graph.op("Softmax", [logits])
    tensor = lambda name, shape: {"name": f"{name}:0", "dtype": "DT_FLOAT", "tensorShape": shape_attr(shape)}  # noqa: E731
    model = {
        "format": "graph-model", "generatedBy": f"PyTorch {torch.__version__}", "convertedBy": "emoface_training.export",
        "signature": {"inputs": {"input": tensor("input", (-1, height, width, channels))},
                      "outputs": {"probabilities": tensor(output, (-1, len(LABELS)))}},
        "modelTopology": {"node": graph.nodes, "library": {}, "versions": {}},
    }
    return model, graph.weights


@torch.no_grad()
def reference_probabilities(classifier: nn.Module, crops: np.ndarray) -> np.ndarray:
    """PyTorch's softmax probabilities [N, labels] for uint8 crops [N, H, W]."""
    return torch.softmax(classifier.eval()(normalize(torch.from_numpy(crops).unsqueeze(1))), dim=1).numpy()


def export_tfjs(classifier: nn.Module, crops: np.ndarray, out_dir: Path) -> dict:
    """Writes out_dir/model.json + weights.bin if TF.js matches PyTorch on `crops`; returns the Node report."""
    folded = fold_batch_norm(classifier.eval())
    model, weights = to_graph(folded)
    shard = "weights.bin"
    model["weightsManifest"] = [{"paths": [shard], "weights": [
        {"name": name, "shape": list(array.shape), "dtype": "int32" if array.dtype == np.int32 else "float32"} for name, array in weights]}]
    expected = reference_probabilities(folded, crops)
    inputs = normalize(torch.from_numpy(crops).unsqueeze(1)).permute(0, 2, 3, 1).numpy()  # NHWC
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder) / "model"
        staged.mkdir()
        (staged / "model.json").write_text(json.dumps(model))
        (staged / shard).write_bytes(b"".join(array.astype(array.dtype.newbyteorder("<")).tobytes() for _, array in weights))
        (Path(folder) / "crops.bin").write_bytes(inputs.astype("<f4").tobytes())
        (Path(folder) / "expected.bin").write_bytes(expected.astype("<f4").tobytes())
        run = subprocess.run(["node", str(NODE_PARITY), str(staged), str(Path(folder) / "crops.bin"), str(Path(folder) / "expected.bin"),
                              str(PARITY_TOLERANCE)], capture_output=True, text=True, cwd=TRAINING_DIR)
        lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"TF.js parity check failed to run:\n{run.stderr[-2000:]}")
        report = json.loads(lines[-1])
        if run.returncode != 0:
            raise AssertionError(f"TF.js and PyTorch differ by {report['maxAbsDiff']:.2e} (> {PARITY_TOLERANCE}); nothing written")
        for name in (shard, "model.json"):  # the weights first: a model.json is never without its shard
            write_atomic(out_dir / name, (staged / name).read_bytes())
    return report


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: What each training part is, for the metadata (emoface_training.datasets makes them).
TRAINING_PARTS = {
    "fer2013": "FER2013 Training split (Kaggle image-folder layout, sharp copy of 2026-11-24)",
    "fer2013+ferplus": "FER2013 Training split, each target mixing its FER2013 label with its FER+ vote distribution",
    "ckplus": "CK+ 48×48 crops, two thirds of the subjects (the rest held out)",
    "sfew": "SFEW 2.0 training half, cut by the extension's detection and alignment, two thirds of the films (the rest held out)",
}


def training_parts(config: dict) -> list:
    """The parts (emoface_training.datasets.Labelled) a run with `config` (a checkpoint's) trained on."""
    parts, _ = training_data(Config(**{**dataclasses.asdict(Config()), **config}))
    return parts


def metadata(checkpoint: dict, model_dir: Path, report: dict, train_counts: np.ndarray, data: str) -> dict:
    """The contents of expression.json (see ../shared/DESIGN.md, "Model metadata")."""
    config = checkpoint["config"]
    classifier = build_model(config["model"])
    relative = lambda path: path.relative_to(model_dir.parent).as_posix()  # noqa: E731
    model_json = model_dir / "model.json"
    shard = model_dir / "weights.bin"
    return {
        "format": "emoface-expression-model/2",
        "model": {
            "format": "tfjs-graph-model", "file": relative(model_json), "sha256": sha256(model_json),
            "weights": [{"file": relative(shard), "bytes": shard.stat().st_size, "sha256": sha256(shard)}],
            "architecture": config["model"], "parameters": count_parameters(classifier),
            "macsPerFace": count_macs(classifier), "bytes": model_json.stat().st_size + shard.stat().st_size,
        },
        "labels": list(LABELS),
        "input": {
            "name": "input", "layout": "NHWC", "shape": ["batch", INPUT_SHAPE[1], INPUT_SHAPE[2], INPUT_SHAPE[0]],
            "width": INPUT_SHAPE[2], "height": INPUT_SHAPE[1], "channels": INPUT_SHAPE[0], "color": "gray",
            "grayWeights": list(GRAY_WEIGHTS),
            "normalization": {"formula": "(equalized pixel / 255 - mean) / std", "equalizeHistogram": True,
                              "mean": MEAN, "std": STD},
        },
        "output": {"name": "probabilities", "shape": ["batch", len(LABELS)], "kind": "softmax probabilities"},
        "alignment": json.loads(ALIGNMENT_TEMPLATE.read_text()),
        "training": {
            "data": data,
            "images": int(train_counts.sum()),
            "imagesPerLabel": {label: int(n) for label, n in zip(LABELS, train_counts)},
            "commit": checkpoint.get("commit", "unknown"),
            "epochs": config["epochs"], "seconds": checkpoint["metrics"]["train_seconds"],
            "threads": config["threads"], "machine": f"{platform.machine()} {os.cpu_count()} cores",
            "config": config,
            "command": train_command(config),
            **lineage(config),
        },
        "export": {"parityMaxAbsDiff": report["maxAbsDiff"], "parityCrops": report["crops"], "tolerance": PARITY_TOLERANCE,
                   "parityBackend": report["backend"], "torch": torch.__version__, "tfjs": report["tfjs"]},
    }


def lineage(config: dict) -> dict:
    """The runs a run with `config` learned from: its teachers, and the run it was fine-tuned from (`init`)."""
    return {"teachers": [run_record(path) for path in teacher_paths(config.get("teachers", ""))],
            **({"init": run_record(config["init"])} if config.get("init") else {})}


def run_record(path: str) -> dict:
    """What made the run whose final.pt is at `path` (relative to training/): its command, commit, time,
    PublicTest accuracy and the runs it learned from; only the path when that file is not on this machine.
    A checkpoint recovered from an export (emoface_training.recover) gives what that export recorded."""
    file = TRAINING_DIR / path
    if not file.is_file():
        return {"checkpoint": path}
    run = torch.load(file, weights_only=False)
    if "record" in run:
        return {"checkpoint": path, **run["record"]}
    return {"checkpoint": path, "command": train_command(run["config"]), "commit": run.get("commit", "unknown"),
            "seconds": run["metrics"]["train_seconds"], "publicTest": run["metrics"]["test_accuracy"],
            "publicTestBy": LOGGED_PUBLIC_TEST, **lineage(run["config"])}


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
    parts = training_parts(checkpoint["config"])
    counts = sum(np.bincount(part.labels, minlength=len(LABELS)) for part in parts)
    data = "; ".join(f"{TRAINING_PARTS[part.name]} ({len(part):,} images)" for part in parts)
    meta = metadata(checkpoint, models_dir / name, report, counts, data)
    write_atomic(models_dir / f"{name}.json", (json.dumps(meta, indent=2) + "\n").encode())
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="emoface_training.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, default=TRAINING_DIR / "runs" / "emonet_wide_kd" / "final.pt")
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
