#!/usr/bin/env bash
# Runs a command inside training/ with its virtual environment, creating or updating it first.
#   training/scripts/venv.sh python -m emoface_training.train --help
set -euo pipefail
training="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$training/.venv"
stamp="$venv/.installed-$(sha256sum "$training/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv"
  # torch==2.13.0 resolves to the CPU build that this machine keeps on disk.
  "$venv/bin/pip" install --quiet --disable-pip-version-check -e "$training[test]" >&2
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi
cd "$training"
PATH="$venv/bin:$PATH" exec "$@"
