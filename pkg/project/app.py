"""What is shipped: the app's identity for every channel, resolved once from its metadata and [tool.pkg].

  name      shipped folder/archive name: tool.pkg.name, else the project's normalised name
  summary   tool.pkg.description > the project's summary > a neutral fallback (package managers need one)
  homepage  tool.pkg.homepage > the first common Project-URL label (case-insensitive) > Home-page >
            the GitHub repository of url-template; none at all is a one-line error
  license   see pkg/project/license_mapping.py
  commands  every console script (or those listed in tool.pkg.commands), else `python -m <package>` for a
            package with __main__; the first command is the main one (the one named like the app if any)
The build records it in its manifest (pkg/core/model.py); the release reads it back from there, so every
channel describes exactly what was built.
"""

import re
from importlib.metadata import EntryPoint

from packaging.utils import canonicalize_name

from pkg.core.config import Config
from pkg.core.errors import InputError
from pkg.core.model import App, Command
from pkg.project import license_mapping
from pkg.project.metadata import Metadata

HOMEPAGE_LABELS = ("homepage", "home", "home-page", "repository", "source", "source code", "code", "github",
                   "documentation", "docs")


def urls_by_label(urls: dict[str, str], labels: tuple[str, ...]) -> list[str]:
    """The http(s) URLs under `labels`, in that order; labels match case-, space-, - and _-insensitively."""
    def key(label: str) -> str:
        return re.sub(r"[\s_-]+", "", label.lower())

    by_label = {key(label): url for label, url in urls.items()}
    found = (by_label.get(key(label), "") for label in labels)
    return [url for url in found if url.startswith(("https://", "http://"))]


def homepage(cfg: Config, urls: dict[str, str]) -> str:
    if cfg.homepage:
        return cfg.homepage
    found = urls_by_label(urls, HOMEPAGE_LABELS)
    if found:
        return found[0]
    if cfg.github_repo:
        return f"https://github.com/{cfg.github_repo}"
    raise InputError("no homepage: the project's metadata has no Homepage/Repository/Source URL and "
                     "url-template is not a GitHub release; set tool.pkg.homepage")


def parse_script(name: str, value: str) -> Command | None:
    """A console script as importlib.metadata reads it (`mod:func`, `mod:obj.func`, `mod:func [extra]`), or
    None when it is not module:function."""
    match = EntryPoint.pattern.match(value.strip())
    if match is None or not match.group("attr"):
        return None
    module, attr = match.group("module"), match.group("attr")
    if not all(p.isidentifier() for p in [*module.split("."), *attr.split(".")]):
        return None
    extras = tuple(e.strip() for e in (match.group("extras") or "").strip("[]").split(",") if e.strip())
    return Command(name=name, module=module, function=attr, extras=extras)


def select_commands(meta: Metadata, main_packages: tuple[str, ...], name: str,
                    only: tuple[str, ...] = ()) -> tuple[Command, ...]:
    """The commands to ship (all, or `only` those), the main one first; a one-line error when there are none.
    Only a shipped console script must be module:function (one left out by tool.pkg.commands may be anything)."""
    if only:
        available = list(meta.scripts) or ([name] if len(main_packages) == 1 else [])
        unknown = [c for c in only if c not in available]
        if unknown:
            raise InputError(f"tool.pkg.commands: {unknown[0]!r} is not a command of {meta.name} "
                             f"(it has: {', '.join(available) or 'none'})")
    found = {}
    for cmd, value in meta.scripts.items():
        if only and cmd not in only:
            continue
        command = parse_script(cmd, value)
        if command is None:
            raise InputError(f"console script {cmd!r} = {value!r} is not module:function "
                             "(leave it out with tool.pkg.commands)")
        found[cmd] = command
    if not meta.scripts and len(main_packages) == 1:
        found = {name: Command(name=name, module=main_packages[0])}
    if not found:
        where = f" (packages with __main__: {', '.join(main_packages)})" if main_packages else ""
        raise InputError(f"{meta.name} has no command: add a console script ([project.scripts] "
                         f"{name} = \"<package>.cli:main\") or a <package>/__main__.py{where}")
    if only:
        return tuple(found[c] for c in only)
    ordered = sorted(found, key=lambda c: (c != name and c != meta.name, c))
    return tuple(found[c] for c in ordered)


def summary(cfg: Config, meta: Metadata) -> str:
    text = cfg.description or meta.summary or f"Command-line tool packaged from {meta.name}"
    return " ".join(text.split())


def resolve(cfg: Config, meta: Metadata, main_packages: tuple[str, ...] = ()) -> App:
    name = cfg.name or canonicalize_name(meta.name)
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name) is None:
        raise InputError(f"the project's name {meta.name!r} makes no usable file name: set tool.pkg.name")
    lic = license_mapping.resolve(meta.license_expression, meta.license, meta.classifiers, cfg.license)
    return App(name=name, dist=meta.name, version=meta.version, summary=summary(cfg, meta),
               homepage=homepage(cfg, meta.urls), license=lic,
               commands=select_commands(meta, main_packages, name, tuple(cfg.commands)))
