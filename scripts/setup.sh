#!/usr/bin/env bash
# Set-up for Linux and macOS: system packages, then uv and the pipeline's locked Python tools.
# The one list of system packages the pipeline and its tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

# What a build needs, and what `make release` unpacks its .deb and .rpm with to run them before it writes their
# checksums (SETUP=build installs only these: a build runner, a container, an older system's root).
BUILD_APT_PACKAGES=(gcc make ccache patchelf hyperfine python3-venv git help2man rpm2cpio cpio)
# The tests' tools: debootstrap makes the Debian 11 root (make test-oldroot); wine and mingw-w64 run and make Windows programs and MSIs; lintian and rpm check the Linux
# packages; bash-completion, zsh, fish and man-db load what the packages install.
TEST_APT_PACKAGES=(debootstrap ruby msitools wixl osslsigncode openssl valgrind time wine wine64 gcc-mingw-w64-x86-64 lintian rpm
  bash-completion zsh fish man-db)
APT_PACKAGES=("${BUILD_APT_PACKAGES[@]}")
if [ "${SETUP:-}" != build ]; then APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}"); fi
# RHEL and its rebuilds (release.yml builds Linux in AlmaLinux 8, whose glibc 2.28 is the floor): a Python
# with libpython (Nuitka links it), a C compiler, git (the archive's timestamp).
DNF_PACKAGES=(gcc make git-core python3.11 python3.11-devel findutils tar gzip xz which)
BREW_PACKAGES=(ccache hyperfine help2man)

# Present = unpacked and configured; a package whose triggers wait (man-db while another dpkg installs man
# pages: the tests run dpkg in parallel) is there too, and re-installing it would race that dpkg for its lock.
missing_apt() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    case "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" in
      installed | triggers-pending | triggers-awaited) ;;
      *) echo "$pkg" ;;
    esac
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
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    # A package an older release lacks (hyperfine before Debian 12: timings then come from Python) is said, skipped.
    mapfile -t have < <(for pkg in "${need[@]}"; do
      if apt-cache show "$pkg" >/dev/null 2>&1; then echo "$pkg"; else echo "note: no $pkg in this system's archive" >&2; fi
    done)
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${have[@]}" >/dev/null
  fi
elif command -v dnf >/dev/null 2>&1; then
  mapfile -t need < <(for pkg in "${DNF_PACKAGES[@]}"; do rpm -q "$pkg" >/dev/null 2>&1 || echo "$pkg"; done)
  if [ "${#need[@]}" -gt 0 ]; then
    echo "installing system packages: ${need[*]}"
    dnf install -y -q "${need[@]}"
  fi
  export UV_PYTHON_PREFERENCE=only-system  # the system's Python (with libpython), never a downloaded one
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
  python="$(command -v python3.11 || command -v python3)"
  "$python" -m venv .tools/uv
  .tools/uv/bin/pip install --quiet uv
  UV=.tools/uv/bin/uv
fi
UV_PROJECT_ENVIRONMENT="$PWD/.tools/venv" "$UV" sync --frozen --project pkg
