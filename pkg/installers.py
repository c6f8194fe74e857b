"""Install scripts (install.sh, install.ps1) for a release, plus what every package-manager writer shares:
reading release/v<version>/manifest.json, finding artifacts, and the pre-release guard.

The scripts come from pkg/templates/ with @NAME@ placeholders; the OS/arch table is generated from
pkg/targets.py so the scripts, the Makefile and Python agree on what `uname` means.
"""

import re
import shlex
from collections import defaultdict
from pathlib import Path

from pkg import atomic, config, manifest, targets, version
from pkg.app import App
from pkg.config import Config
from pkg.errors import PkgError

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUMS = "SHA256SUMS"
RELEASE_KEYS = ("schema", "app", "version", "tag", "prerelease", "targets", "artifacts")
COMMAND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")  # safe in sh, PowerShell, file names and URLs
ARTIFACT_KEYS = ("name", "kind", "target", "path", "sha256", "url")
HEX64 = re.compile(r"[0-9a-f]{64}")


# --- shared by homebrew.py, winget.py, scoop.py ------------------------------------------------------

def load_release(release_dir: Path) -> dict:
    path = release_dir / "manifest.json"
    return check_release(manifest.load_json(path, "release manifest", "release"), str(path))


def check_release(release: dict, where: str = "release manifest") -> dict:
    missing = [k for k in RELEASE_KEYS if k not in release]
    if missing:
        raise PkgError(f"{where}: missing {', '.join(missing)}")
    for art in release["artifacts"]:
        gone = [k for k in ARTIFACT_KEYS if k not in art]
        if gone:
            raise PkgError(f"{where}: artifact {art.get('name', '?')} lacks {', '.join(gone)}")
        if not HEX64.fullmatch(art["sha256"]):
            raise PkgError(f"{where}: artifact {art['name']} has a bad sha256 {art['sha256']!r}")
    return release


def artifacts(release: dict, kind: str, os_name: str | None = None) -> list[dict]:
    """Artifacts of one kind (archive, msi, …), optionally for one OS, in target order."""
    found = [a for a in release["artifacts"]
             if a["kind"] == kind and (os_name is None or a["target"].split("-", 1)[0] == os_name)]
    return sorted(found, key=lambda a: (a["target"], a["name"]))


def skip_prerelease(release: dict, allow: bool, what: str) -> bool:
    """True (and say so) when `what` must not be written: package managers only ever get stable releases."""
    if release["prerelease"] and not allow:
        print(f"{release['version']} is a pre-release: {what} not written "
              f"(stable users never get a release candidate; pass --allow-prerelease to write it)")
        return True
    return False


def release_dir_for(args) -> Path:
    if args.release_dir:
        return Path(args.release_dir)
    if not args.version:
        raise PkgError("give --version VERSION or --release-dir", 2)
    return config.ROOT / "release" / version.parse(args.version).tag


def writer_stage(write):
    """A stage handler for a `write(cfg, app, release, release_dir, repo_root, allow_prerelease)` function."""
    def handler(args) -> None:
        release_dir = release_dir_for(args)
        release = load_release(release_dir)
        write(config.load(), App.from_dict(release["app"]), release, release_dir, config.ROOT, args.allow_prerelease)
    return handler


def add_stage(stages, name: str, help_text: str, handler, prerelease: bool = True):
    sub = stages.add_parser(name, help=help_text, description=help_text)
    sub.add_argument("--version", help="release VERSION (its folder is release/v<VERSION>/)")
    sub.add_argument("--release-dir", help="release folder (default: release/v<VERSION>/)")
    if prerelease:
        sub.add_argument("--allow-prerelease", action="store_true",
                         help="write the file even for a pre-release (never for the stable channel)")
    sub.set_defaults(func=handler)
    return sub


# --- install scripts ---------------------------------------------------------------------------------

def check_app(cfg: Config, app: App) -> None:
    bad = [c for c in (app.name, *app.command_names) if not COMMAND_NAME.fullmatch(c)]
    if bad:
        raise PkgError(f"command {bad[0]!r}: install scripts and package managers want letters, digits and ._+- "
                       "(choose the commands with tool.pkg.commands)", 2)


def env_prefix(app: App) -> str:
    """MYTOOL for app mytool: the scripts read MYTOOL_BASE_URL, MYTOOL_PREFIX, MYTOOL_TARGET."""
    return re.sub(r"[^A-Z0-9]", "_", app.name.upper())


def base_url(cfg: Config, release: dict) -> str:
    """The folder URL every release file hangs from; every archive's URL must agree with it."""
    sums = cfg.download_url(release["version"], SUMS)
    if not sums.endswith("/" + SUMS):
        raise PkgError(f"url-template {cfg.url_template!r} must end with /{{file}} for the install scripts")
    base = sums[: -len(SUMS) - 1]
    for art in artifacts(release, "archive"):
        if art["url"] != f"{base}/{art['name']}":
            raise PkgError(f"{art['name']}: URL {art['url']} is not under {base}/")
    return base


def _sh_case(table: dict[str, str], extra: dict[str, str] | None = None) -> str:
    """`pattern|pattern) var=value ;;` lines from a name table (value → all names mapping to it)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key, value in table.items():
        groups[value].append(key)
    for value, pattern in (extra or {}).items():
        groups[value].append(pattern)
    return "\n".join(f"        {'|'.join(keys)}) echo {value} ;;" for value, keys in groups.items())


def _ps_arch_table() -> str:
    """A PowerShell hashtable literal; its keys are case-insensitive, so AMD64/amd64 become one entry."""
    table: dict[str, tuple[str, str]] = {}
    for key, value in targets.ARCH_NAMES.items():
        if table.setdefault(key.lower(), (key, value))[1] != value:
            raise PkgError(f"targets.ARCH_NAMES maps {key!r} two ways, case aside")
    return "\n".join(f"    '{key}' = '{value}'" for key, value in table.values())


def _fill(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise PkgError(f"templates/{template}: unfilled placeholder {left[0]}")
    return text


def render_sh(cfg: Config, app: App, release: dict) -> str:
    windows = {"windows": "|".join(f"{p}*" for p in targets.WINDOWS_PREFIXES)}
    return _fill("install.sh", {
        "APP": app.name,
        "VERSION": release["version"],
        "COMMANDS": " ".join(app.command_names),  # check_app: no shell metacharacters
        "BASE_URL": shlex.quote(base_url(cfg, release)),
        "ENV": env_prefix(app),
        "OS_CASE": _sh_case(targets.OS_NAMES, windows),
        "ARCH_CASE": _sh_case(targets.ARCH_NAMES),
    })


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_ps1(cfg: Config, app: App, release: dict) -> str:
    return _fill("install.ps1", {
        "APP": app.name,
        "MAIN": app.main.name,
        "VERSION": _ps_quote(release["version"]),
        "BASE_URL": _ps_quote(base_url(cfg, release)),
        "ENV": env_prefix(app),
        "ARCH_TABLE": _ps_arch_table(),
    })


def write(cfg: Config, app: App, release: dict, release_dir: Path) -> list[Path]:
    """install.sh and install.ps1 in the release folder (also for pre-releases: they install that version)."""
    check_release(release)
    sh, ps1 = render_sh(cfg, app, release), render_ps1(cfg, app, release)
    paths = [release_dir / "install.sh", release_dir / "install.ps1"]
    atomic.write_text(paths[0], sh)
    atomic.write_text(paths[1], ps1)
    paths[0].chmod(0o755)
    for path in paths:
        print(f"wrote {path}")
    return paths


def cmd_install_scripts(args) -> None:
    release_dir = release_dir_for(args)
    release = load_release(release_dir)
    write(config.load(), App.from_dict(release["app"]), release, release_dir)


def add_parser(stages) -> None:
    add_stage(stages, "install-scripts", "write install.sh and install.ps1 into the release folder",
              cmd_install_scripts, prerelease=False)
