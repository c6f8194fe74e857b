"""A release context as the channel stages find it (after stages `archives` and `msi`), built from tiny
fakes so the channel tests stay fast: archives of fake folders and, optionally, a fake MSI in
release/v<version>/, described in the release manifest with their URLs.

The fake Linux/macOS program is a shell script printing `<the name it was started under> <version>`, stored
as lib/<main>.bin with a relative symlink per command, like the real Nuitka layout and the launcher's
dispatch. Archives come from pkg/core/archive.py.
"""

import uuid
from pathlib import Path

from pkg.core import archive, model, names, version
from pkg.core.config import Config
from pkg.core.model import App, Build, Kind, Manifest, MsiFacts
from pkg.core.targets import DEFAULT_TARGETS, Target
from pkg.release.context import ReleaseContext

from .fixtures import example_app, place_shared

EPOCH = 1_700_000_000


def fake_folder(root: Path, app: App, target: Target, version_text: str) -> Path:
    """Every command at the top: copies on Windows, symlinks to lib/<main>.bin elsewhere."""
    folder = root / names.stem(app.name, target.name)
    (folder / "lib").mkdir(parents=True)
    if target.os == "windows":
        for name in app.command_names:
            (folder / names.program(name, "windows")).write_bytes(b"MZ fake windows program\n")
    else:
        program = folder / "lib" / names.compiled_program(app.main.name, target.os)
        program.write_text(f'#!/bin/sh\necho "$(basename "$0") {version_text}"\n')
        program.chmod(0o755)
        for name in app.command_names:
            (folder / name).symlink_to(f"lib/{program.name}")
    (folder / "lib" / "data.txt").write_text("payload\n")
    return folder


def make_release(root: Path, cfg: Config, version_text: str = "0.2.0", targets: tuple[str, ...] = DEFAULT_TARGETS,
                 msi: bool = True, app: App | None = None, shared: dict[str, str] | None = None) -> ReleaseContext:
    """release/v<version>/ under `root` with the archives (and a fake MSI), as a ReleaseContext whose
    repository is `root` (homebrew/, winget/, scoop/ land there); `shared`: completions and man pages
    (path below the folder -> text) in every macOS and Linux build, recorded as stage share does."""
    app = (app or example_app()).model_copy(update={"version": version_text})
    v = version.parse(version_text)
    folder = root / names.RELEASES / names.release_folder(v.tag)
    folder.mkdir(parents=True)
    inputs = Manifest(moment="build", app=app)
    ctx = ReleaseContext(cfg, v, root / "dist", folder, root, inputs,
                         Manifest(moment="release", app=app), EPOCH)
    for name in targets:
        target = Target(*name.split("-", 1))
        built = fake_folder(root / "work", app, target, version_text)
        if target.os != "windows":
            inputs.artifacts += place_shared(built, shared or {}, built.parent, name)
        inputs.builds[name] = Build(target=name, backend="nuitka", layout="flat", folder=built.name,
                                    commands={c: f"{built.name}/{names.program(c, target.os)}"
                                              for c in app.command_names})
        ctx.add(archive.create(built, folder / names.archive(app.name, name), EPOCH), Kind.ARCHIVE, name)
        if target.os == "windows" and msi:
            path = folder / names.msi(app.name)
            path.write_bytes(b"fake msi: winget only hashes it\n")
            code = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, version_text)).upper() + "}"
            ctx.add(path, Kind.MSI, name, msi=MsiFacts(product_code=code, upgrade_code="{" + cfg.upgrade_code + "}",
                                                       product_version=v.msi))
    return ctx


def run(stage, ctx: ReleaseContext) -> str | None:
    """Run a stage as the pipeline does: its skip reason, or None after running it."""
    reason = stage.skip(ctx)
    if reason is None:
        stage.run(ctx)
    return reason


def written(ctx: ReleaseContext, kind: Kind) -> model.Artifact | None:
    found = ctx.manifest.select(kind)
    return found[0] if found else None


def shared_files(command: str) -> dict[str, str]:
    """What stage share puts in a build for `command`: a completion per shell offering --help and a man page,
    in the forms their tools load (a bash-completion function, a #compdef file, fish's `complete`)."""
    func = "_" + command.replace("-", "_")
    return {
        names.completion_path("bash", command):
            f'{func}() {{ COMPREPLY=($(compgen -W "--help --version" -- "$2")); }}\ncomplete -F {func} {command}\n',
        names.completion_path("zsh", command): f"#compdef {command}\n_arguments '--help[show help]'\n",
        names.completion_path("fish", command): f"complete -c {command} -l help -d 'Show help'\n",
        names.man_path(command): f'.TH {command.upper()} 1 "2024" "{command}" "User Commands"\n.SH NAME\n'
                                 f"{command} \\- frobnicate widgets\n.SH SYNOPSIS\n.B {command}\n[\\fB--help\\fR]\n",
    }
