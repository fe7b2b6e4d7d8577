#!/usr/bin/env bash
# Retrains the shipped expression model and the mini-Xception baseline, exports the model to TF.js
# (models/expression*), measures the candidate architectures' speed, writes the report.
# The shipped model is distilled: two teachers learn FER2013's labels first, then emonet_wide learns the
# labels and the teachers' mean prediction; then it is fine-tuned on FER2013 (labels mixed with FER+'s
# votes), CK+ and SFEW (their held-out parts kept out), learning its own earlier prediction as well, so
# that it keeps what it knew of FER2013. SFEW's crops are cut by the extension's own detection and
# alignment (npm run eval --keypoints, on the built extension's analyser). Resumable: run it again after
# an interruption and training continues from its last epoch (a finished run only rewrites its final.pt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run() { "$here/venv.sh" "$@"; }
train() { run python -m emoface_training.train "$@"; }
train --model emonet_wide --out runs/emonet_wide --epochs 100 --threads 2
train --model emonet_dw --out runs/emonet_dw --epochs 45 --threads 1
train --model emonet_wide --out runs/emonet_wide_kd --epochs 100 --threads 2 --teachers runs/emonet_wide/final.pt,runs/emonet_dw/final.pt
(cd "$here/../.." && npm run eval -- ../shared/datasets/sfew --detect --keypoints training/.cache/sfew-keypoints.json >/dev/null)
train --model emonet_wide --out runs/emonet_wide_all --epochs 12 --lr 0.0005 --warmup-epochs 1 --init runs/emonet_wide_kd/final.pt \
  --teachers runs/emonet_wide_kd/final.pt --teacher-flip --datasets fer2013,ckplus,sfew --fer-label-weight 0.5
run python -m emoface_training.export --checkpoint runs/emonet_wide_all/final.pt
# One thread: with two, torch 2.13's CPU backward of mini-Xception crashed (segmentation fault) on the full data.
train --model mini_xception --out runs/mini_xception --epochs 25 --threads 1
run python -m emoface_training.candidates
run python -m emoface_training.evaluate --checkpoint runs/emonet_wide_all/final.pt
