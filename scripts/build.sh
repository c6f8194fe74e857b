#!/usr/bin/env bash
# Build glue for Linux and macOS: Rosetta only; the build itself (ccache included) is `python -m pkg build`.
# Usage: build.sh <target> [--version V] [--backend B] [--fallback F]  (scripts/build.ps1 takes the same;
# signing inputs are SIGN_* environment variables, read by pkg/compile/sign.py on every platform).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: build.sh <target> [--version V] [--backend B] [--fallback F]}"
shift
args=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --version | --backend | --fallback)
      [ "$#" -ge 2 ] || { echo "error: build.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2")
      shift 2 ;;
    *) echo "error: build.sh: unknown option '$1' (known: --version, --backend, --fallback)" >&2; exit 2 ;;
  esac
done
cmd=("${PY:-.tools/venv/bin/python}" -m pkg build --target "$target" ${args[@]+"${args[@]}"})
# An x86_64 build on an Apple-silicon Mac runs under Rosetta (needs a universal2 Python).
if [ "$target" = macos-x86_64 ] && [ "$(uname -s)" = Darwin ] && [ "$(uname -m)" = arm64 ]; then
  cmd=(arch -x86_64 "${cmd[@]}")
fi
exec "${cmd[@]}"
