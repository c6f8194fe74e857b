"""Every file and folder name the pipeline makes, in one place: tests/test_names.py proves that no other
module spells one. `name` is the shipped name (App.name), `target` is <os>-<arch>.

  dist/ (each build)        <name>-<target>/ and its .tar.gz (.zip on Windows), .json (the build manifest),
                            .report.xml (Nuitka's), .licenses/ (what it ships), .build-test.json (what
                            build-test proved), <name>-windows-x86_64.msi
  release/v<version>/       the archives, the MSI, the .deb and .rpm, each with its .sha256, SHA256SUMS,
                            SHA256SUMS.sigstore.json (CI), <name>-<version>.cdx.json, LICENSES/,
                            CHANGELOG.md, manifest.json, <name>.rb, winget/, <name>.json (Scoop),
                            install.sh, install.ps1
  the repository            homebrew/Formula/<name>.rb, winget/manifests/<l>/<Publisher>/<Package>/<version>/,
                            scoop/<name>.json (what the publishing jobs push)
  build/<target>/ (work)    wheel/, env/, requirements/, launcher/, nuitka/, logs/
  <name>-<target>/share/    completions and man pages, laid out as under a prefix (below)
"""

from pathlib import Path

from pkg.core import targets
from pkg.core.targets import DEFAULT_TARGETS

WINDOWS_TARGET = next(t for t in DEFAULT_TARGETS if t.startswith("windows-"))  # what the MSI, winget, Scoop describe

# --- programs --------------------------------------------------------------------------------------
def exe_suffix(os_name: str) -> str:
    return ".exe" if os_name == "windows" else ""


def program(command: str, os_name: str) -> str:
    """A command as it sits at the top of the shipped folder."""
    return command + exe_suffix(os_name)


def compiled_program(command: str, os_name: str) -> str:
    """What Nuitka writes: `<main>.bin` on Unix (a plain name could clash with a package-data folder)."""
    return command + (".exe" if os_name == "windows" else ".bin")


def nuitka_dist(main: str) -> str:
    """Nuitka's standalone folder, named after the main script; renamed to stem() once built."""
    return f"{main}.dist"


# --- share/: what native tools find, laid out as under an installation prefix (pip's data files, Homebrew's
# and install.sh's prefix); the .deb and .rpm map each kind to the system's own place -------------------
SHARE = "share"
SHELLS = ("bash", "zsh", "fish")
COMPLETION_DIRS = {  # shell -> its folder below a prefix (bash-completion, zsh's site-functions, fish's vendor dir)
    "bash": "share/bash-completion/completions", "zsh": "share/zsh/site-functions",
    "fish": "share/fish/vendor_completions.d"}
MAN_DIR = "share/man"


def completion(shell: str, command: str) -> str:
    """A command's completion file as its shell looks it up: `<command>`, `_<command>`, `<command>.fish`."""
    return {"bash": command, "zsh": f"_{command}", "fish": f"{command}.fish"}[shell]


def completion_path(shell: str, command: str) -> str:
    return f"{COMPLETION_DIRS[shell]}/{completion(shell, command)}"


def man_path(page: str, section: str = "1") -> str:
    return f"{MAN_DIR}/man{section}/{page}.{section}"


LAUNCHER = "__pkg_main__.py"  # the generated main script; no app can import a module of that name
INTERPRETER_MODULE = "_pkg_interpreter"  # pkg/compile/interpreter.py, as the compiled program imports it


def interpreter(main: str, os_name: str) -> str:
    """The program under the name it acts as CPython's command line (its sys.executable), beside the binary:
    `python` on Unix (never on PATH: only commands are linked there); on Windows `<main>-python.exe`, since
    the install folder is on PATH and must not shadow the user's own python.exe."""
    return f"{main}-python.exe" if os_name == "windows" else "python"


LIB = "lib"                   # the folder Nuitka's output moves into when a command name is taken


# --- dist/ ----------------------------------------------------------------------------------------
DIST = "dist"


def stem(name: str, target: str) -> str:
    return f"{name}-{target}"


ZIP, TAR_GZ = ".zip", ".tar.gz"


def archive_ext(os_name: str) -> str:
    return ZIP if os_name == "windows" else TAR_GZ


def archive(name: str, target: str) -> str:
    return stem(name, target) + archive_ext(targets.split(target).os)


def build_manifest(name: str, target: str) -> str:
    return f"{stem(name, target)}.json"


def build_manifest_glob(target: str) -> str:
    return f"*-{target}.json"


def build_test_record(name: str, target: str) -> str:
    return f"{stem(name, target)}.build-test.json"


def report(name: str, target: str) -> str:
    return f"{stem(name, target)}.report.xml"


def licenses(name: str, target: str) -> str:
    return f"{stem(name, target)}.licenses"


def msi(name: str) -> str:
    return f"{stem(name, WINDOWS_TARGET)}.msi"


def msi_staging(msi_name: str) -> str:
    """Where scripts/msi.ps1 has WiX write before `--record` moves the MSI out."""
    return f".{msi_name}.staging"


def deb(name: str, version: str, arch: str) -> str:
    """Debian's spelling, <name>_<version>_<arch>.deb; the release's version (0.2.0rc1, no `~`: a URL-safe
    file name); the version inside is pkg.core.version.Version.distro."""
    return f"{name}_{version}_{arch}.deb"


def rpm(name: str, version: str, arch: str) -> str:
    """RPM's spelling, <name>-<version>-<release>.<arch>.rpm (release 1: one package per version)."""
    return f"{name}-{version}-1.{arch}.rpm"


def license_folder(dist: str, version: str) -> str:
    """One distribution's license files, in dist/<…>.licenses/ and in the release's LICENSES/."""
    return f"{dist}-{version}"


def cpython_license_folder(version: str) -> str:
    return license_folder("cpython", version)


def library_license_folder(package: str, version: str) -> str:
    """A bundled system library's license files (its package's), apart from the Python distributions'."""
    return "system-" + license_folder(package.split(":")[0], version.replace(":", "_"))  # an epoch's ':' is no path


# --- release/v<version>/ --------------------------------------------------------------------------
RELEASES = "release"
SUMS = "SHA256SUMS"
LICENSES = "LICENSES"
NOTES = "CHANGELOG.md"
MANIFEST = "manifest.json"
INSTALL_SH = "install.sh"
INSTALL_PS1 = "install.ps1"
WINGET = "winget"


def release_folder(tag: str) -> str:
    return tag


def staging_prefix(final: str) -> str:
    """What pkg/core/atomic.py names a file or folder while it is written: hidden, beside its final name.
    A killed release leaves only these (removed by the next run), never a partial release folder."""
    return f".{final}."


CHECKSUM_SUFFIX = ".sha256"


def sums_bundle() -> str:
    """The Sigstore bundle (signature, certificate, transparency-log proof) of SHA256SUMS, added by
    `make sign-release` after the release is assembled (so SHA256SUMS cannot list it)."""
    return f"{SUMS}.sigstore.json"


def checksum(file: str) -> str:
    return file + CHECKSUM_SUFFIX


def is_checksum(file: str) -> bool:
    return file.endswith(CHECKSUM_SUFFIX)


def sbom(name: str, version: str) -> str:
    return f"{name}-{version}.cdx.json"


def formula(name: str) -> str:
    return f"{name}.rb"


def scoop_manifest(name: str) -> str:
    return f"{name}.json"


def winget_files(package_id: str, locale: str) -> dict[str, str]:
    return {"version": f"{package_id}.yaml", "installer": f"{package_id}.installer.yaml",
            "defaultLocale": f"{package_id}.locale.{locale}.yaml"}


# --- the repository's publishing layouts ----------------------------------------------------------
# What the publishing jobs push: <layout> of this repository -> <folder> of the tap, bucket or winget-pkgs.
PUBLISHED = {  # channel: (this repository's layout, the folder in the repository it is pushed to)
    "homebrew": (Path("homebrew", "Formula"), "Formula"),
    "scoop": (Path("scoop"), "bucket"),
    "winget": (Path("winget", "manifests"), "manifests"),
}


def formula_in_tap(name: str) -> Path:
    return PUBLISHED["homebrew"][0] / formula(name)


def scoop_in_bucket(name: str) -> Path:
    return PUBLISHED["scoop"][0] / scoop_manifest(name)


def winget_in_repo(package_id: str, version: str) -> Path:
    """winget/manifests/e/Example/MyTool/0.2.0: the lower-case first letter, then a folder per id part."""
    return PUBLISHED["winget"][0].joinpath(package_id[0].lower(), *package_id.split("."), version)


# --- build/<target>/ (work) -----------------------------------------------------------------------
WORK = "build"
WHEEL, ENV, REQUIREMENTS, LOGS, NUITKA_OUT, LAUNCHER_DIR = "wheel", "env", "requirements", "logs", "nuitka", "launcher"
PIP_ENV = "pip-installed"  # the wheel and its runtime closure alone: the reference the compiled program must equal
SUGGESTED = "suggested.toml"  # the declarations the checks on the pip-installed app call for (pkg/compile/probe.py)
TOOLS_REQUIREMENTS, APP_REQUIREMENTS, PIP_PINS = "tools.txt", "app.txt", "pip-installed.txt"
NUITKA_REPORT = "report.xml"
MSI_SOURCE, MSI_OUT = "product.wxs", "product.msi"  # wixl's input and output in build/msi/
NFPM_CONFIG = "nfpm.yaml"  # nfpm's input, in a scratch folder of the release job
WIX_DIR, WIX_APP = "wix", "app.wxs"  # the pipeline's own WiX 5 source, below the root
WIX_FILES = "files.wxs"  # the WiX 5 fragment of the Windows folder's files, beside the staged MSI


def log(step: str) -> str:
    return f"{step}.log"


# --- make bench ------------------------------------------------------------------------------------
BENCH = "bench"
BENCH_RESULTS = ("results.json", "results.md", "startup.png")
