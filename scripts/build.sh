#!/usr/bin/env bash
# Build glue for Linux and macOS: Rosetta only; the build itself (ccache included) is `python -m pkg build`.
set -euo pipefail
cd "$(dirname "$0")/.."
target="$1"
shift
cmd=("${PY:-.tools/venv/bin/python}" -m pkg build --target "$target" "$@")
# An x86_64 build on an Apple-silicon Mac runs under Rosetta (needs a universal2 Python).
if [ "$target" = macos-x86_64 ] && [ "$(uname -s)" = Darwin ] && [ "$(uname -m)" = arm64 ]; then
  cmd=(arch -x86_64 "${cmd[@]}")
fi
exec "${cmd[@]}"
