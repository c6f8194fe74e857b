#!/usr/bin/env bash
# Set-up for Linux and macOS: system packages, then uv and the pipeline's locked Python tools.
# The one list of system packages the pipeline and its tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

# wine and mingw-w64 run and make Windows programs and MSIs in the tests; lintian and rpm check the Linux packages;
# help2man writes man pages (tool.pkg.man); bash-completion, zsh, fish and man-db load what the packages install.
APT_PACKAGES=(gcc ccache patchelf hyperfine ruby msitools wixl osslsigncode openssl valgrind time python3-venv git
  wine wine64 gcc-mingw-w64-x86-64 lintian rpm help2man bash-completion zsh fish man-db)
BREW_PACKAGES=(ccache hyperfine help2man)

missing_apt() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

if command -v apt-get >/dev/null 2>&1; then
  mapfile -t need < <(missing_apt)
  if [ "${#need[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "error: missing system packages and not root: apt-get install ${need[*]}" >&2; exit 1
      fi
    fi
    echo "installing system packages: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
elif [ "$(uname -s)" = Darwin ] && command -v brew >/dev/null 2>&1; then
  brew install "${BREW_PACKAGES[@]}"
else
  echo "note: no apt-get or brew here; install a C compiler, ccache and hyperfine yourself" >&2
fi

# uv: from PATH, else installed with pip into .tools/uv (works where the system Python is
# externally managed, as on Debian). It only bootstraps the pipeline's venv, .tools/venv, from pkg/uv.lock
# (kept apart from the app's own environment and lock).
UV="${UV:-uv}"
if ! command -v "$UV" >/dev/null 2>&1; then
  python3 -m venv .tools/uv
  .tools/uv/bin/pip install --quiet uv
  UV=.tools/uv/bin/uv
fi
UV_PROJECT_ENVIRONMENT="$PWD/.tools/venv" "$UV" sync --frozen --project pkg
