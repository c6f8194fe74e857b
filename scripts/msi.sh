#!/usr/bin/env bash
# MSI glue for Linux and macOS: wixl builds the MSI from the Windows runner's folder or zip in dist/
# (`python -m pkg msi`). Usage: msi.sh [--target T] [--version V] [--dist D] [--root R]  (scripts/msi.ps1 takes the same;
# signing inputs are SIGN_* environment variables, read by pkg/compile/sign.py on every platform).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
root=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --target | --version | --dist)
      [ "$#" -ge 2 ] || { echo "error: msi.sh: $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2")
      shift 2 ;;
    --root)  # the packaging repository the pipeline acts on (python -m pkg --root)
      [ "$#" -ge 2 ] || { echo "error: msi.sh: $1 needs a value" >&2; exit 2; }
      root=("$1" "$2")
      shift 2 ;;
    *) echo "error: msi.sh: unknown option '$1' (known: --target, --version, --dist, --root)" >&2; exit 2 ;;
  esac
done
exec "${PY:-.tools/venv/bin/python}" -m pkg ${root[@]+"${root[@]}"} msi ${args[@]+"${args[@]}"}
