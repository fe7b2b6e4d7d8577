# What the models' make.sh scripts share; sourced by each after it sets `here` (its folder).
#   fact PATH               a field of $here/model.json (as node -p reads it: source.version, sha256…)
#   check_hash FILE SHA256 WHAT   exits 1, naming both hashes and WHAT, when FILE's sha256 differs
#   $scratch                a temporary folder, removed on exit
fact() { node -p "require('$here/model.json').$1"; }
check_hash() {
  local actual
  actual="$(sha256sum "$1" | cut -d' ' -f1)"
  if [ "$actual" != "$2" ]; then
    echo "make.sh: $1 has sha256 $actual, expected $2 ($3)" >&2
    exit 1
  fi
}
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
