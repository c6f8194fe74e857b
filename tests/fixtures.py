"""Fixture builds shaped like each CI runner's dist/: a folder, its archive, a Nuitka-style report, the
license files the build collected and the build manifest (pkg/core/model.py). Only linux-x86_64 can really
be built here; the others stand in for the macOS and Windows runners (their programs are placeholders, never
run).

The app identity is the example's own (read from app/pyproject.toml through pkg.project, as `make check`
would), or any App a test passes: nothing here depends on which app it is."""

import json
from pathlib import Path

from pkg.compile import share
from pkg.core import archive, model, names, targets
from pkg.core.model import App, Artifact, Build, Command, Distribution, Kind, License, Manifest
from pkg.project import metadata
from pkg.project.app import resolve

from .conftest import example_config

EPOCH = 1_700_000_000
REPORT = """<?xml version='1.0' encoding='utf8'?>
<nuitka-compilation-report>
  <included_dll name="{dll}" dest_path="{dll}" source_path="/x/{dll}" package="" ignored="no" reason="r" tags="copy" />
  <distributions>
{dists}
  </distributions>
  <python python_version="3.11.7" os_name="x" arch_name="y" />
</nuitka-compilation-report>
"""
TOOL_PKG = """
[tool.pkg]
project = "{project}"
publisher = "P"
package-id = "P.App"
upgrade-code = "6f1d3c2a-8b4e-4c5d-9a7f-2e1b0c9d8e7f"
url-template = "https://github.com/example/app/releases/download/v{{version}}/{{file}}"
"""  # the smallest valid [tool.pkg]: what a test adds or breaks stands out

DEPENDENCIES = {"click": ("8.5.1", "BSD-3-Clause"), "psutil": ("7.2.2", "BSD-3-Clause")}
WINDOWS_ONLY = {"colorama": ("0.4.6", "BSD-3-Clause")}


def example_app(version: str | None = None) -> App:
    """The example app as its build records it (from its real metadata)."""
    cfg = example_config()
    app = resolve(cfg, metadata.read(cfg.project_dir))
    return app.model_copy(update={"version": version or app.version})


def multi_app(version: str = "0.2.0") -> App:
    """A generic app with two commands, to prove every channel exposes every command."""
    return App(name="mytool", dist="my-tool", version=version, summary="Frobnicate widgets from the shell",
               homepage="https://github.com/example/my-tool", license=License(spdx="MIT OR Apache-2.0"),
               commands=(Command(name="mytool", module="my_tool.cli", function="main"),
                         Command(name="mytool-admin", module="my_tool.admin", function="run")))


def _program(folder: Path, app: App, target: targets.Target, version: str) -> None:
    if target.os == "windows":
        for name in app.command_names:
            (folder / names.program(name, "windows")).write_bytes(b"MZ placeholder")
        return
    (folder / "lib").mkdir(parents=True, exist_ok=True)
    program = folder / "lib" / names.compiled_program(app.main.name, target.os)
    program.write_bytes(f"#!/bin/sh\necho '{app.main.name} {version}'\n".encode())
    program.chmod(0o755)
    for name in app.command_names:
        (folder / name).symlink_to(f"lib/{program.name}")


def place_shared(folder: Path, shared: dict[str, str], root: Path, target: str) -> list[Artifact]:
    """Completions and man pages (path below `folder` -> text) written into a build folder and described
    as stage share records them (paths relative to `root`, dist/)."""
    for rel, text in shared.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return [model.describe(folder / rel, root, share.kind_of(rel), target) for rel in shared]


def fake_build(dist: Path, target: str, version: str, app: App | None = None,
               shared: dict[str, str] | None = None) -> Manifest:
    """One runner's dist/: folder, archive, report, license files and the build manifest; `shared`: files
    below the folder (share/…: completions, man pages) recorded as the share stage records them."""
    app = (app or example_app()).model_copy(update={"version": version})
    t = targets.parse(target)
    name = names.stem(app.name, target)
    folder = dist / name
    folder.mkdir(parents=True, exist_ok=True)
    _program(folder, app, t, version)
    (folder / "lib").mkdir(exist_ok=True)
    (folder / "lib" / "python311.dll").write_bytes(b"dll" * 100)
    manifest = Manifest(moment="build", app=app)
    manifest.artifacts += place_shared(folder, shared or {}, dist, target)
    path = archive.create(folder, dist / names.archive(app.name, target), EPOCH)
    shipped = {**DEPENDENCIES, **(WINDOWS_ONLY if t.os == "windows" else {}), app.dist: (version, str(app.license))}
    dll = {"windows": "vcruntime140.dll", "macos": "libcrypto.3.dylib"}.get(t.os, "libcrypto.so.3")
    dists = "\n".join(f'    <distribution name="{n}" version="{v}" installer="uv" />' for n, (v, _) in shipped.items())
    report = dist / names.report(app.name, target)
    report.write_text(REPORT.format(dll=dll, dists=dists))
    licenses = dist / names.licenses(app.name, target)
    entries = []
    for dist_name, (dist_version, spdx) in shipped.items():
        license_file = licenses / names.license_folder(dist_name, dist_version) / "LICENSE"
        license_file.parent.mkdir(parents=True, exist_ok=True)
        license_file.write_text(f"{spdx} license of {dist_name}\n")
        entries.append(Distribution(name=dist_name, version=dist_version, license=spdx, app=dist_name == app.dist,
                                    license_files=[license_file.relative_to(dist).as_posix()]))
    cpython = licenses / names.cpython_license_folder("3.11.7") / "LICENSE.txt"
    cpython.parent.mkdir(parents=True, exist_ok=True)
    cpython.write_text("PSF license\n")
    manifest.builds[target] = Build(
        target=target, backend="nuitka", layout="flat" if t.os == "windows" else "lib", folder=name,
        commands={c: f"{name}/{names.program(c, t.os)}" for c in app.command_names},
        tools={"python": "3.11.7", "nuitka": "4.3.3"}, distributions=entries,
        python={"3.11.7": [cpython.relative_to(dist).as_posix()]},
        **{"linux": {"glibc": "2.28", "glibc_floor": "2.28"}, "macos": {"macos_min": "11.0"}}.get(t.os, {}))
    for artifact, kind in ((path, Kind.ARCHIVE), (report, Kind.REPORT), (licenses, Kind.LICENSE_FILES)):
        manifest.add(model.describe(artifact, dist, kind, target))
    model.write(dist / names.build_manifest(app.name, target), manifest)
    return manifest


def shared_of(dist: Path, manifest: Manifest) -> dict[str, str]:
    """The completions and man pages of a real build (path below its folder -> text), for fixture runners
    that carry the same, as the other runners' builds of one app do."""
    (target,) = manifest.builds
    folder = manifest.builds[target].folder
    return {a.path.removeprefix(folder + "/"): (dist / a.path).read_text() for a in manifest.shared(target)}


def fake_dist(dist: Path, version: str, which=targets.DEFAULT_TARGETS, app: App | None = None) -> Path:
    dist.mkdir(parents=True, exist_ok=True)
    for target in which:
        fake_build(dist, target, version, app)
    return dist


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())
