"""Expression models and the preprocessing constants they were trained with.

Input: float32 [N, 1, 48, 48]: each grayscale crop histogram-equalized (`equalize_histogram`), then
its pixels p in 0..255 mapped to (p / 255 - MEAN) / STD. Output: logits [N, len(LABELS)] in LABELS order.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .data import IMAGE_SIZE, LABELS

#: Preprocessing: x = (equalized pixel / 255 - MEAN) / STD, one grayscale channel.
MEAN = 0.5
STD = 0.25
INPUT_SHAPE = (1, IMAGE_SIZE, IMAGE_SIZE)  # channels, height, width
#: ITU-R BT.601 luma weights, what PIL's convert("L") uses; FER2013's crops are gray already.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)
#: Where the eyes and mouth sit in a training crop (fractions of its size): the alignment's target.
ALIGNMENT_TEMPLATE = Path(__file__).with_name("alignment_template.json")


def conv_bn(in_channels: int, out_channels: int, kernel: int = 3, stride: int = 1, groups: int = 1,
            padding: int | None = None) -> list[nn.Module]:
    """Conv (no bias) followed by batch norm."""
    padding = kernel // 2 if padding is None else padding
    return [nn.Conv2d(in_channels, out_channels, kernel, stride, padding, groups=groups, bias=False),
            nn.BatchNorm2d(out_channels)]


def separable(in_channels: int, out_channels: int) -> list[nn.Module]:
    """Depthwise 3×3 then pointwise 1×1 (Keras SeparableConv2D has no BN in between), then BN."""
    return [nn.Conv2d(in_channels, in_channels, 3, 1, 1, groups=in_channels, bias=False),
            *conv_bn(in_channels, out_channels, kernel=1)]


class MiniXceptionModule(nn.Module):
    """One residual module of mini-Xception: two separable convs + max-pool, 1×1 strided shortcut."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.shortcut = nn.Sequential(*conv_bn(in_channels, out_channels, kernel=1, stride=2, padding=0))
        self.body = nn.Sequential(
            *separable(in_channels, out_channels), nn.ReLU(inplace=True),
            *separable(out_channels, out_channels),
            nn.MaxPool2d(3, 2, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + self.shortcut(x)


class MiniXception(nn.Module):
    """mini-Xception (Arriaga, Valdenegro-Toro & Plöger 2017, arXiv 1710.07557), as in their Keras code:
    two valid 3×3 convs of 8, four residual separable modules of 16/32/64/128, a 3×3 conv to the
    classes and global average pooling. About 58k parameters."""

    def __init__(self, num_classes: int = len(LABELS)):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn(1, 8, padding=0), nn.ReLU(inplace=True),
            *conv_bn(8, 8, padding=0), nn.ReLU(inplace=True),
            MiniXceptionModule(8, 16), MiniXceptionModule(16, 32),
            MiniXceptionModule(32, 64), MiniXceptionModule(64, 128),
        )
        self.classifier = nn.Conv2d(128, num_classes, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x)).mean(dim=(2, 3))


class ResidualBlock(nn.Module):
    """Pre-activation-free basic block: two 3×3 convs (or depthwise-separable pairs), identity or 1×1 shortcut."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, depthwise: bool):
        super().__init__()
        if depthwise:
            first = [*conv_bn(in_channels, in_channels, stride=stride, groups=in_channels),
                     *conv_bn(in_channels, out_channels, kernel=1)]
            second = [*conv_bn(out_channels, out_channels, groups=out_channels),
                      *conv_bn(out_channels, out_channels, kernel=1)]
        else:
            first = conv_bn(in_channels, out_channels, stride=stride)
            second = conv_bn(out_channels, out_channels)
        self.body = nn.Sequential(*first, nn.ReLU(inplace=True), *second)
        self.shortcut = (nn.Identity() if stride == 1 and in_channels == out_channels
                         else nn.Sequential(*conv_bn(in_channels, out_channels, kernel=1, stride=stride, padding=0)))
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.body(x) + self.shortcut(x))


class EmoNet(nn.Module):
    """emoface's expression net: a 3×3 stem at full resolution, then stages of residual blocks,
    each stage halving the resolution (48 → 24 → 12 → 6 → 3), global average pooling, dropout, linear.
    Full 3×3 convs where the maps are large and channels few (cheap in parameters), depthwise-separable
    ones where channels are many (cheap in parameters and MACs). Defaults: about 625k parameters,
    46 MMACs. `emonet_dw` is separable from the second stage on (516k parameters, 30 MMACs);
    `emonet_wide`, the same with more channels (878k parameters, 38 MMACs), is what ships: the most
    accurate that meets the speed targets in TF.js wasm (bench/expressionModel.mjs). `emonet_pooled`
    first averages 2×2 pixels: the same parameters at a quarter of the MACs."""

    def __init__(self, stem: int = 24, widths: tuple[int, ...] = (48, 96, 192, 384),
                 depths: tuple[int, ...] = (1, 1, 2, 1), depthwise: tuple[bool, ...] = (False, False, True, True),
                 dropout: float = 0.3, input_pool: int = 1, num_classes: int = len(LABELS)):
        super().__init__()
        # input_pool > 1 averages input_pool² pixels first, at 1/input_pool² of the MACs.
        pool: list[nn.Module] = [nn.AvgPool2d(input_pool)] if input_pool > 1 else []
        layers: list[nn.Module] = [*pool, *conv_bn(1, stem), nn.ReLU(inplace=True)]
        channels = stem
        for width, depth, separable_stage in zip(widths, depths, depthwise, strict=True):
            for index in range(depth):
                layers.append(ResidualBlock(channels, width, 2 if index == 0 else 1, separable_stage))
                channels = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(channels, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean(dim=(2, 3), keepdim=True))


#: Named architectures; `build_model(name)` makes one. Keys are what `--model` accepts.
ARCHITECTURES: dict[str, dict] = {
    "mini_xception": {"cls": MiniXception},
    "emonet": {"cls": EmoNet},
    "emonet_pooled": {"cls": EmoNet, "input_pool": 2},
    # Depthwise-separable from the second stage on: about half of emonet's ms in TF.js wasm.
    "emonet_dw": {"cls": EmoNet, "depthwise": (False, True, True, True)},
    # emonet_dw with more channels from the second stage on (0.88 M parameters, 38 MMACs).
    "emonet_wide": {"cls": EmoNet, "widths": (48, 128, 256, 512), "depthwise": (False, True, True, True)},
    # emonet_dw with more channels and blocks at 12×12 and 6×6 (0.87 M parameters, 46 MMACs).
    "emonet_deep": {"cls": EmoNet, "widths": (48, 128, 256, 384), "depths": (1, 2, 3, 1),
                    "depthwise": (False, True, True, True)},
    # Separable in every stage, more blocks at 12×12 and 6×6 (1.0 M parameters, 32 MMACs): the first
    # stage's full 3×3 convs are half of emonet_wide's time in TF.js wasm; this spends it on depth instead.
    "emonet_sep_deep": {"cls": EmoNet, "widths": (48, 128, 256, 512), "depths": (1, 2, 3, 1),
                        "depthwise": (True, True, True, True)},
    # A teacher, never shipped (3.3× emonet_wide's MACs): full 3×3 convolutions in every stage, wider
    # and deeper, for distillation into a model that meets the speed targets (3.6 M parameters, 125 MMACs).
    "emonet_teacher": {"cls": EmoNet, "stem": 32, "widths": (48, 96, 192, 384), "depths": (1, 2, 2, 1),
                       "depthwise": (False, False, False, False)},
}


def build_model(name: str, **overrides) -> nn.Module:
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(ARCHITECTURES)}")
    spec = dict(ARCHITECTURES[name])
    cls = spec.pop("cls")
    return cls(**{**spec, **overrides})


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module) -> int:
    """Multiply-accumulates of one forward pass on one 48×48 image (convs and linears)."""
    macs = 0

    def hook(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            macs += output.numel() * per_output
        elif isinstance(module, nn.Linear):
            macs += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *INPUT_SHAPE))
    model.train(was_training)
    for handle in handles:
        handle.remove()
    return macs


def equalize_histogram(pixels: torch.Tensor) -> torch.Tensor:
    """Each image's histogram equalized: pixel v → round((cdf(v) − cdf(darkest)) · 255 / (n − cdf(darkest))),
    rounding halves up, in integers (src/pipeline/expressionInput.ts does the same). An image of one value is
    left as it is. The training crops come equalized (flat histograms, 0 and 255 in nearly every crop) and
    camera crops do not: equalizing every crop the model sees takes that difference, and any lighting
    change that keeps the order of gray levels, out. Takes integer values 0..255 [N, ...], any dtype."""
    flat = pixels.reshape(len(pixels), -1).long()
    counts = torch.zeros(len(flat), 256, dtype=torch.long).scatter_add_(1, flat, torch.ones_like(flat))
    cdf = counts.cumsum(1)
    darkest = cdf.gather(1, flat.min(1, keepdim=True).values)
    spread = flat.shape[1] - darkest
    mapped = torch.div((cdf.gather(1, flat) - darkest) * 510 + spread, 2 * spread.clamp(min=1), rounding_mode="floor")
    return torch.where(spread > 0, mapped, flat).reshape(pixels.shape).to(pixels.dtype)


def normalize(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 (or integer-valued float) grayscale crops [N, 1, H, W] → the model's input."""
    return (equalize_histogram(pixels).float() / 255 - MEAN) / STD
