#!/bin/sh
# Install @APP@ @VERSION@ from its release: download the archive for this machine, verify it against
# SHA256SUMS, unpack it into PREFIX/lib/@APP@ and link each command into PREFIX/bin (PREFIX: ~/.local),
# and its completions and man pages into PREFIX/share, where bash-completion, fish and man find them.
# Written by the release pipeline (pkg/channels/install_scripts.py from its templates/): edit the template.
#
#   sh install.sh [--prefix DIR] [--base-url URL] [--target OS-ARCH]
#   environment: @ENV@_PREFIX, @ENV@_BASE_URL, @ENV@_TARGET
#
# Everything is downloaded and checked in a temporary folder first: a failed download, a checksum
# mismatch or a missing build exits non-zero and installs nothing.
set -eu

app=@APP@
version=@VERSION@
sums=@SUMS@
commands="@COMMANDS@"
default_base_url=@BASE_URL@
base_url=${@ENV@_BASE_URL:-$default_base_url}
prefix=${@ENV@_PREFIX:-${HOME:?HOME is not set}/.local}
target=${@ENV@_TARGET:-}

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

usage() {
    say "usage: install.sh [--prefix DIR] [--base-url URL] [--target OS-ARCH]"
    say "Installs $app $version into PREFIX/lib/$app with links in PREFIX/bin for: $commands (PREFIX: ~/.local)."
}

while [ $# -gt 0 ]; do
    case $1 in
        --prefix|--base-url|--target)
            [ $# -ge 2 ] || die "$1 needs a value"
            case $1 in
                --prefix) prefix=$2 ;;
                --base-url) base_url=$2 ;;
                --target) target=$2 ;;
            esac
            shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --base-url=*) base_url=${1#*=}; shift ;;
        --target=*) target=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
done
base_url=${base_url%/}

# uname -s / uname -m → <os>-<arch>: generated from pkg/core/targets.py, the table the Makefile also uses.
os_name() {
    case $1 in
@OS_CASE@
        *) return 1 ;;
    esac
}
arch_name() {
    case $1 in
@ARCH_CASE@
        *) return 1 ;;
    esac
}

if [ -z "$target" ]; then
    uname_s=$(uname -s)
    uname_m=$(uname -m)
    os=$(os_name "$uname_s") || die "unsupported OS '$uname_s'"
    arch=$(arch_name "$uname_m") || die "unsupported architecture '$uname_m'"
    # An x86_64 shell under Rosetta on Apple silicon still gets the native arm64 build.
    if [ "$os" = macos ] && [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
        arch=arm64
    fi
    target=$os-$arch
fi
case $target in
    windows-*) die "$target: on Windows use install.ps1" ;;
    *-*) ;;
    *) die "bad target '$target' (want <os>-<arch>, e.g. linux-x86_64)" ;;
esac

# The oldest glibc each Linux build starts on (its build manifest: what its files need, or the declared floor
# if higher). On an older system, one line and nothing installed, instead of a program that cannot start.
glibc_floor() {
    case $1 in
@GLIBC_CASE@
        *) return 1 ;;
    esac
}
at_least() {  # at_least HAVE WANT: dotted versions, numerically
    awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, "."); m = split(b, y, "."); if (m > n) n = m
        for (i = 1; i <= n; i++) { if (x[i] + 0 > y[i] + 0) exit 0; if (x[i] + 0 < y[i] + 0) exit 1 } exit 0 }'
}
if [ "$(uname -s)" = Linux ] && floor=$(glibc_floor "$target"); then
    have=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ print $2 }') || have=
    [ -n "$have" ] || die "$app for $target needs glibc $floor or newer; this system has no glibc (nothing installed)"
    at_least "$have" "$floor" || die "$app for $target needs glibc $floor or newer; this system has glibc $have (nothing installed)"
fi

# The release's .deb and .rpm per target (pkg/channels/linux_packages.py), for the closing advice.
package_for() {  # package_for <target> <deb|rpm>
    case $1/$2 in
@PACKAGE_CASE@
        *) return 1 ;;
    esac
}

fetch() {  # fetch URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --retry 2 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "$1"
    else
        die "neither curl nor wget is installed"
    fi
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    else
        die "no sha256sum, shasum or openssl to verify the download"
    fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$app-install.XXXXXX")
stage=
cleanup() {
    rm -rf "$tmp"
    if [ -n "$stage" ]; then rm -rf "$stage"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

archive=@ARCHIVE@
say "$app $version for $target from $base_url/"
fetch "$base_url/$sums" "$tmp/$sums" || die "download failed: $base_url/$sums (nothing installed)"
expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/$sums")
[ -n "$expected" ] || die "no $app build for $target in release $version: $sums lists no $archive (nothing installed)"
fetch "$base_url/$archive" "$tmp/$archive" || die "download failed: $base_url/$archive (nothing installed)"
actual=$(sha256 "$tmp/$archive")
[ "$actual" = "$expected" ] || die "checksum mismatch for $archive: $sums says $expected, download is $actual (nothing installed)"
say "verified $archive (sha256 $actual)"

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die "cannot unpack $archive (nothing installed)"
top=$tmp/x/@TOP@
for cmd in $commands; do
    [ -x "$top/$cmd" ] || die "$archive has no @TOP@/$cmd program (nothing installed)"
done

# Stage beside the final folder so the swap is a rename; the old install is removed only afterwards.
lib=$prefix/lib/$app
bin=$prefix/bin
for cmd in $commands; do
    [ ! -d "$bin/$cmd" ] || [ -L "$bin/$cmd" ] || die "$bin/$cmd is a folder; remove it first"
done
mkdir -p "$prefix/lib" "$bin"
stage=$(mktemp -d "$prefix/lib/.$app.XXXXXX")
mv "$top" "$stage/new"
if [ -e "$lib" ] || [ -L "$lib" ]; then
    mv "$lib" "$stage/old"
fi
if ! mv "$stage/new" "$lib"; then
    if [ -e "$stage/old" ]; then mv "$stage/old" "$lib"; fi
    die "cannot move the new install into $lib"
fi
for cmd in $commands; do
    ln -s "../lib/$app/$cmd" "$stage/link"
    mv -f "$stage/link" "$bin/$cmd"
    say "linked $bin/$cmd -> ../lib/$app/$cmd"
done

# Completions and man pages (the archive's share/, laid out as under a prefix), linked where the tools look.
shared=
for file in "$lib"/share/man/man*/* "$lib"/share/bash-completion/completions/* \
            "$lib"/share/zsh/site-functions/* "$lib"/share/fish/vendor_completions.d/*; do
    [ -f "$file" ] || continue
    rel=${file#"$lib"/}
    mkdir -p "$prefix/${rel%/*}"
    ln -s "$file" "$stage/link"
    mv -f "$stage/link" "$prefix/$rel"
    shared="$shared ${rel#share/}"
done

say "installed $app $version ($target) into $lib"
if [ -n "$shared" ]; then
    say "linked into $prefix/share:$shared"
    case $prefix in
        "${HOME:-}/.local"|/usr/local) ;;  # bash-completion and fish look there by themselves; man follows PATH
        *) say "note: for bash and fish completions from $prefix: export XDG_DATA_DIRS=\"$prefix/share:\${XDG_DATA_DIRS:-/usr/local/share:/usr/share}\"" ;;
    esac
    case $shared in
        *zsh/*) say "note: for zsh completions: fpath+=($prefix/share/zsh/site-functions) before compinit in ~/.zshrc" ;;
    esac
fi
case ":${PATH:-}:" in
    *":$bin:"*) ;;
    *) say "note: $bin is not on your PATH; add it with: export PATH=\"$bin:\$PATH\"" ;;
esac
if command -v apt-get >/dev/null 2>&1 && package=$(package_for "$target" deb); then
    say "note: for every user of this machine, through apt: curl -fLO $base_url/$package && sudo apt install ./$package"
elif command -v rpm >/dev/null 2>&1 && package=$(package_for "$target" rpm); then
    say "note: for every user of this machine, through dnf: sudo dnf install $base_url/$package"
fi
