"""Stage `install-scripts`: install.sh and install.ps1 for the release (also for pre-releases: they install
exactly that version). Each downloads the archive for the machine it runs on, checks it against
SHA256SUMS, installs it and puts every command on PATH.

Filled from templates/ (pkg/channels/template.py); the OS/arch table is generated from pkg/core/targets.py
and the file names from pkg/core/names.py, so the scripts, the Makefile and Python agree on what `uname`
means and on what the release holds.
"""

import re
import shlex
from collections import defaultdict

from pkg.channels.template import fill
from pkg.core import names, targets
from pkg.core.config import Config
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App, Build, Kind, Manifest
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext

COMMAND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")  # safe in sh, PowerShell, file names and URLs


def check_app(cfg: Config, app: App) -> None:
    bad = [c for c in (app.name, *app.command_names) if not COMMAND_NAME.fullmatch(c)]
    if bad:
        raise PkgError(f"command {bad[0]!r}: install scripts and package managers want letters, digits and ._+- "
                       "(choose the commands with tool.pkg.commands)", 2)
    if not cfg.download_url("0", names.SUMS).endswith("/" + names.SUMS):
        raise InputError(f"url-template {cfg.url_template!r} must end with /{{file}} for the install scripts")


def env_prefix(app: App) -> str:
    """MYTOOL for app mytool: the scripts read MYTOOL_BASE_URL, MYTOOL_PREFIX, MYTOOL_TARGET."""
    return re.sub(r"[^A-Z0-9]", "_", app.name.upper())


def base_url(cfg: Config, manifest: Manifest) -> str:
    """The folder URL every release file hangs from; every archive's URL must agree with it."""
    sums = cfg.download_url(manifest.version, names.SUMS)
    if not sums.endswith("/" + names.SUMS):
        raise PkgError(f"url-template {cfg.url_template!r} must end with /{{file}} for the install scripts")
    base = sums[: -len(names.SUMS) - 1]
    for art in manifest.select(Kind.ARCHIVE):
        if art.url != f"{base}/{art.name}":
            raise PkgError(f"{art.name}: URL {art.url} is not under {base}/")
    return base


def _sh_case(table: dict[str, str], extra: dict[str, str] | None = None) -> str:
    """`pattern|pattern) echo value ;;` lines from a name table (value → all names mapping to it)."""
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


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_sh(cfg: Config, app: App, manifest: Manifest, builds: dict[str, Build]) -> str:
    """builds: the release's builds, as merged (their glibc floors)."""
    windows = {"windows": "|".join(f"{p}*" for p in targets.WINDOWS_PREFIXES)}
    return fill(names.INSTALL_SH, {
        "APP": app.name,
        "VERSION": manifest.version,
        "COMMANDS": " ".join(app.command_names),  # check_app: no shell metacharacters
        "BASE_URL": shlex.quote(base_url(cfg, manifest)),
        "ENV": env_prefix(app),
        "OS_CASE": _sh_case(targets.OS_NAMES, windows),
        "ARCH_CASE": _sh_case(targets.ARCH_NAMES),
        # the names, built by pkg/core/names.py around the script's own variables
        "ARCHIVE": names.archive("$app", "$target"),
        "TOP": names.stem("$app", "$target"),
        "SUMS": names.SUMS,
        "GLIBC_CASE": "\n".join(f"        {t}) echo {floor} ;;" for t, b in sorted(builds.items())
                                if (floor := b.glibc_required())) or "        # (no Linux build in this release)",
        "PACKAGE_CASE": "\n".join(f"        {a.target}/{a.format}) echo {shlex.quote(a.name)} ;;"
                                  for a in manifest.select(Kind.PACKAGE)) or "        # (none in this release)",
    })


def render_ps1(cfg: Config, app: App, manifest: Manifest) -> str:
    return fill(names.INSTALL_PS1, {
        "APP": app.name,
        "MAIN": names.program(app.main.name, "windows"),
        "VERSION": _ps_quote(manifest.version),
        "BASE_URL": _ps_quote(base_url(cfg, manifest)),
        "ENV": env_prefix(app),
        "ARCH_TABLE": _ps_arch_table(),
        "ARCHIVE": names.stem("$App", "$Target") + names.archive_ext("windows"),
        "TOP": names.stem("$App", "$Target"),
        "SUMS": names.SUMS,
    })


def writes(ctx: ReleaseContext) -> list[str]:
    return [names.INSTALL_SH, names.INSTALL_PS1]


def run(ctx: ReleaseContext) -> None:
    ctx.write(names.INSTALL_SH, render_sh(ctx.cfg, ctx.app, ctx.manifest, ctx.inputs.builds), Kind.INSTALL_SCRIPT)
    (ctx.folder / names.INSTALL_SH).chmod(0o755)
    ctx.write(names.INSTALL_PS1, render_ps1(ctx.cfg, ctx.app, ctx.manifest), Kind.INSTALL_SCRIPT)


STAGE = Stage("install-scripts", "install.sh and install.ps1 (download, verify against SHA256SUMS, install)",
              run, writes=writes, refuse=check_app, makes=Kind.INSTALL_SCRIPT)
