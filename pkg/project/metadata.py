"""The app's project as its build backend sees it: the metadata its wheel carries, read with the
libraries made for it (never by parsing pyproject.toml by hand).

  static [project] (nothing we need is dynamic)  pyproject-metadata, without running the backend
  dynamic fields, setup.cfg or setup.py only     `build`'s ProjectBuilder.metadata_path: the backend's own
                                                 prepare_metadata_for_build_wheel, in an isolated env; when
                                                 it writes no entry_points.txt (hatchling never does), the
                                                 wheel itself, built there
  a built wheel                                  its .dist-info (what the build records and ships)

How a release VERSION reaches the project (version_source):
  pyproject  [project].version is static: `make release` stamps it with `uv version`
  scm        setuptools-scm / hatch-vcs: handed over as SETUPTOOLS_SCM_PRETEND_VERSION_FOR_<NAME>
  source     fixed in the project's own files (attr:, a version file, setup.py): it must already be VERSION
"""

import contextlib
import re
import subprocess
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PathDistribution
from pathlib import Path

from packaging.metadata import Metadata as CoreMetadata
from packaging.utils import canonicalize_name

from pkg.core import proc
from pkg.core.config import read_pyproject
from pkg.core.errors import InputError, PkgError
from pkg.core.proc import clean_env, uv

NEEDED = ("name", "version", "description", "license", "urls", "scripts")  # [project] fields we read
SCM_REQUIRES = ("setuptools-scm", "setuptools_scm", "hatch-vcs", "hatch_vcs")


@dataclass(frozen=True)
class Metadata:
    name: str
    version: str
    summary: str | None = None
    license_expression: str | None = None
    license: str | None = None
    classifiers: tuple[str, ...] = ()
    urls: dict[str, str] = field(default_factory=dict)  # Project-URL labels, plus Home-page
    scripts: dict[str, str] = field(default_factory=dict)  # console_scripts: command -> "module:function"
    requires_python: str | None = None
    authors: tuple[str, ...] = ()  # author and maintainer names, as declared
    contacts: tuple[str, ...] = ()  # "Name <address>" of the maintainers, then the authors, that give both


def from_distribution(dist: PathDistribution) -> Metadata:
    """Metadata of a .dist-info (a folder, or a wheel through zipfile.Path)."""
    text = dist.read_text("METADATA")
    if text is None:
        raise PkgError("no METADATA in the distribution")
    core = CoreMetadata.from_email(text, validate=False)
    urls = dict(core.project_urls or {})
    if core.home_page:
        urls.setdefault("Home-page", core.home_page)
    return Metadata(
        name=core.name, version=str(core.version), summary=(core.summary or "").strip() or None,
        license_expression=core.license_expression, license=core.license,
        classifiers=tuple(core.classifiers or ()), urls=urls,
        scripts={ep.name: ep.value for ep in dist.entry_points.select(group="console_scripts")},
        requires_python=str(core.requires_python) if core.requires_python else None,
        authors=_names(core.author, core.author_email, core.maintainer, core.maintainer_email),
        contacts=_contacts((core.maintainer, core.maintainer_email), (core.author, core.author_email)))


def _names(*fields: str | None) -> tuple[str, ...]:
    """Person names from Author/Maintainer fields: "A, B" or "A <a@x>, B <b@x>" (addresses dropped). A field
    without an address is names only, each kept whole: the address parser would read "Jane Doe" as the
    address "Jane" and "A and B" as "A"."""
    from email.utils import getaddresses

    found = []
    for value in filter(None, fields):
        pairs = getaddresses([value]) if "@" in value else [(part, "") for part in value.split(",")]
        for name, address in pairs:
            text = (name or ("" if "@" in address else address)).strip()
            if text and text not in found:
                found.append(text)
    return tuple(found)


def _contacts(*fields: tuple[str | None, str | None]) -> tuple[str, ...]:
    """"Name <address>" for each person a (name field, *-email field) pair gives both for: "A <a@x>" in the
    email field, or one name beside one bare address (poetry-core writes Author and Author-email apart)."""
    from email.utils import getaddresses

    found = []
    for names, emails in fields:
        pairs = [(n.strip(), a.strip()) for n, a in getaddresses([emails]) if "@" in a] if emails else []
        alone = [n.strip() for n in (names or "").split(",") if n.strip()]
        if len(pairs) == 1 and not pairs[0][0] and len(alone) == 1:
            pairs = [(alone[0], pairs[0][1])]
        found += [f"{n} <{a}>" for n, a in pairs if n]
    return tuple(dict.fromkeys(found))


def dist_info(wheel: zipfile.ZipFile) -> PathDistribution:
    names = {n.split("/", 1)[0] for n in wheel.namelist() if n.split("/", 1)[0].endswith(".dist-info")}
    if len(names) != 1:
        raise PkgError(f"{wheel.filename}: expected one .dist-info folder, found {sorted(names)}")
    return PathDistribution(zipfile.Path(wheel, names.pop() + "/"))


def from_wheel(path: Path) -> Metadata:
    with zipfile.ZipFile(path) as wheel:
        return from_distribution(dist_info(wheel))


def pyproject_table(folder: Path) -> dict:
    path = folder / "pyproject.toml"
    return read_pyproject(path) if path.is_file() else {}


def check_folder(folder: Path) -> None:
    """A folder pip (and uv build) can build: pyproject.toml or setup.py (setup.cfg needs a setup.py beside it)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such project folder (tool.pkg.project must name the app's project)")
    if not any((folder / name).is_file() for name in ("pyproject.toml", "setup.py")):
        hint = " (a setup.cfg project needs a setup.py that calls setup())" if (folder / "setup.cfg").is_file() else ""
        raise InputError(f"{folder}: no pyproject.toml or setup.py, so no build backend can build it{hint}")


def version_source(folder: Path) -> str:
    data = pyproject_table(folder)
    project = data.get("project")
    if isinstance(project, dict) and "version" in project:
        return "pyproject"
    tool = data.get("tool", {})
    requires = " ".join(str(r) for r in data.get("build-system", {}).get("requires", [])).lower()
    hatch_vcs = tool.get("hatch", {}).get("version", {}).get("source") == "vcs"
    setup_py = folder / "setup.py"
    scm_setup = setup_py.is_file() and "use_scm_version" in setup_py.read_text(encoding="utf-8", errors="replace")
    if any(r in requires for r in SCM_REQUIRES) or "setuptools_scm" in tool or hatch_vcs or scm_setup:
        return "scm"
    return "source"


def version_env(folder: Path, name: str, version: str | None) -> dict[str, str]:
    """Environment that hands VERSION to an scm-versioned build backend (nothing for the other kinds)."""
    if not version or version_source(folder) != "scm":
        return {}
    normal = re.sub(r"[^A-Z0-9]", "_", canonicalize_name(name).upper())
    return {f"SETUPTOOLS_SCM_PRETEND_VERSION_FOR_{normal}": version, "SETUPTOOLS_SCM_PRETEND_VERSION": version}


@contextlib.contextmanager
def out_of_tree() -> Iterator[dict[str, str]]:
    """Environment for the app's build backend that writes nothing into the project: setuptools otherwise
    rewrites `<name>.egg-info/` (tracked in many repositories: sdists carry it) and fills `build/` in the source
    tree. DIST_EXTRA_CONFIG is read after the project's setup.cfg, so these two settings win; other backends
    never read it. pbr (a setuptools plugin) rewrites the project's tracked AUTHORS and ChangeLog from git
    history unless told not to (found adopting bandit drop-in: both were replaced by the short history of the
    adopting repository)."""
    import configparser

    with tempfile.TemporaryDirectory(prefix="backend-") as scratch:
        settings = configparser.ConfigParser()
        settings["egg_info"] = {"egg_base": str(Path(scratch, "egg-info"))}
        settings["build"] = {"build_base": str(Path(scratch, "build"))}
        Path(scratch, "egg-info").mkdir()
        with open(Path(scratch, "setup.cfg"), "w", encoding="utf-8") as out:
            settings.write(out)
        yield {"DIST_EXTRA_CONFIG": str(Path(scratch, "setup.cfg")),
               "SKIP_GENERATE_AUTHORS": "1", "SKIP_WRITE_GIT_CHANGELOG": "1"}


def _static(folder: Path) -> Metadata | None:
    """pyproject-metadata for a [project] table whose fields we need are all static."""
    from pyproject_metadata import ConfigurationError, StandardMetadata

    data = pyproject_table(folder)
    project = data.get("project")
    if not isinstance(project, dict) or set(project.get("dynamic", [])) & set(NEEDED):
        return None
    try:
        meta = StandardMetadata.from_pyproject(data, project_dir=folder, allow_extra_keys=True)
    except (ConfigurationError, ExceptionGroup) as exc:
        raise InputError(f"{folder / 'pyproject.toml'}: {_one_line(exc)}") from None
    license_expression = meta.license if isinstance(meta.license, str) else None
    license_text = meta.license.text if meta.license is not None and not isinstance(meta.license, str) else None
    return Metadata(name=meta.name, version=str(meta.version), summary=meta.description,
                    license_expression=license_expression, license=license_text,
                    classifiers=tuple(meta.classifiers), urls=dict(meta.urls), scripts=dict(meta.scripts),
                    requires_python=str(meta.requires_python) if meta.requires_python else None,
                    authors=tuple(dict.fromkeys(p[0] for p in [*meta.authors, *meta.maintainers] if p[0])),
                    contacts=tuple(dict.fromkeys(f"{n} <{a}>" for n, a in [*meta.maintainers, *meta.authors]
                                                 if n and a)))


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, ExceptionGroup):
        return "; ".join(_one_line(e) for e in exc.exceptions)
    return " ".join(str(exc).split())


def _backend(folder: Path, version: str | None) -> Metadata:
    """The build backend's own metadata (prepare_metadata_for_build_wheel) in an isolated environment."""
    from build import BuildBackendException, BuildException, ProjectBuilder
    from build.env import DefaultIsolatedEnv

    static_name = pyproject_table(folder).get("project", {}).get("name") or folder.name

    def runner(cmd, cwd=None, extra_environ=None):
        env = clean_env({**(extra_environ or {}), **version_env(folder, static_name, version), **elsewhere})
        proc.tool(cmd, f"{folder}: the build backend, reporting metadata,", env=env, cwd=cwd)

    try:
        # The backend's own warnings (deprecated classifiers, …) are the app's business, shown by its own
        # build log; here they would only bury the one line the user needs.
        with warnings.catch_warnings(), DefaultIsolatedEnv(installer="uv") as env, \
                tempfile.TemporaryDirectory() as out, out_of_tree() as elsewhere:
            warnings.simplefilter("ignore")
            builder = ProjectBuilder.from_isolated_env(env, folder, runner=runner)
            env.install(builder.build_system_requires)
            env.install(builder.get_requires_for_build("wheel"))
            prepared = PathDistribution(Path(builder.metadata_path(out)))
            if prepared.read_text("entry_points.txt") is not None:
                return from_distribution(prepared)
            # No entry points beside METADATA: none, or a backend that writes METADATA only (hatchling).
            # Only the wheel says which: build it (the commands are what the wheel really contains).
            return from_wheel(Path(builder.build("wheel", Path(out) / "wheel")))
    except (BuildException, BuildBackendException, subprocess.CalledProcessError) as exc:
        if isinstance(getattr(exc, "exception", None), PkgError):  # the runner's: the backend's own last line
            raise exc.exception from None
        raise PkgError(f"{folder}: the build backend failed ({_one_line(exc)[:300]})") from None


def read(folder: Path, version: str | None = None) -> Metadata:
    """The project's metadata (a dynamic version as VERSION would make it, for scm projects)."""
    check_folder(folder)
    static = _static(folder)
    return static if static is not None else _backend(folder, version)


def stamp(folder: Path, current: str, wanted: str) -> None:
    """Make the project's version `wanted` the way its version source allows, or say why not."""
    source = version_source(folder)
    if source == "scm" or current == wanted:
        return  # scm: VERSION is handed to the backend at build time
    if source == "source":
        raise InputError(f"VERSION {wanted} but the project's version is {current}, fixed in its own files "
                         f"({where_version_lives(folder)}): change it there first")
    print(f"stamping {folder / 'pyproject.toml'}: version {current} -> {wanted}")
    cmd = [uv(), "version", wanted, "--no-sync", "--project", str(folder)]
    if not (folder / "uv.lock").is_file():
        cmd.append("--frozen")  # no lock to update: do not create one
    proc.tool(cmd, f"`uv version {wanted}`", env=clean_env())


def where_version_lives(folder: Path) -> str:
    data = pyproject_table(folder)
    dynamic = data.get("tool", {}).get("setuptools", {}).get("dynamic", {}).get("version")
    if isinstance(dynamic, dict) and dynamic:
        key, value = next(iter(dynamic.items()))
        return f"pyproject.toml [tool.setuptools.dynamic] version = {{{key} = {value!r}}}"
    hatch = data.get("tool", {}).get("hatch", {}).get("version", {})
    if hatch.get("path"):
        return f"{hatch['path']} ([tool.hatch.version] path)"
    setup_cfg = folder / "setup.cfg"
    if setup_cfg.is_file():
        match = re.search(r"^version\s*=\s*(.+)$", setup_cfg.read_text(encoding="utf-8", errors="replace"), re.M)
        if match:
            return f"setup.cfg version = {match.group(1).strip()}"
    return "setup.py" if (folder / "setup.py").is_file() else "the build backend's configuration"

