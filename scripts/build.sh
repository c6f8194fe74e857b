#!/usr/bin/env bash
# Build glue for Linux and macOS: ccache and Rosetta only; the build itself is `python -m pkg build`.
set -euo pipefail
cd "$(dirname "$0")/.."
target="$1"
shift
cmd=("${PY:-.tools/venv/bin/python}" -m pkg build --target "$target" "$@")
# An x86_64 build on an Apple-silicon Mac runs under Rosetta (needs a universal2 Python).
if [ "$target" = macos-x86_64 ] && [ "$(uname -s)" = Darwin ] && [ "$(uname -m)" = arm64 ]; then
  cmd=(arch -x86_64 "${cmd[@]}")
fi
# Nuitka uses ccache when it finds it; say so explicitly so a custom PATH cannot hide it.
if command -v ccache >/dev/null 2>&1; then
  NUITKA_CCACHE_BINARY="$(command -v ccache)"
  export NUITKA_CCACHE_BINARY
fi
exec "${cmd[@]}"
