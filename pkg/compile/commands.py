"""Stage `commands`: every command at the top of the compiled folder, whichever backend built it, and the
program's interpreter beside the binary.

The folder's layout (recorded as Build.layout):
  flat     Nuitka's folder as it is; `<main>.bin` renamed to `<main>`, other commands link to it
  lib      a command's name is taken by a folder (package data: `<app>/data/…`), so Nuitka's folder moves
           to lib/ and each command is a relative symlink to lib/<main>.bin. Nuitka resolves symlinks to find
           its files and the launcher reads the name it was started under, so every link works from
           anywhere (Homebrew's bin/, install.sh's ~/.local/bin)
  onefile  PyInstaller's one binary
Windows always gets `<main>.exe` and a copy per further command: zip archives and MSIs keep no links.
"""

import shutil
from pathlib import Path

from pkg.compile.context import BuildContext
from pkg.core import names
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Backend, Layout
from pkg.core.stage import Stage
from pkg.core.targets import Target


def add_commands(folder: Path, app: App, target: Target, program: str) -> None:
    """A link to `program` (relative to `folder`) for every command: symlinks on Unix, copies on Windows."""
    for name in app.command_names:
        path = folder / names.program(name, target.os)
        if path.exists() or path.is_symlink():
            continue
        if target.os == "windows":
            shutil.copy2(folder / program, path)
        else:
            path.symlink_to(program)


def add_interpreter(binary: Path, app: App, target: Target) -> None:
    """The program under its interpreter's name beside the binary, where Nuitka's sys.executable points
    (pkg/compile/interpreter.py): a symlink, a copy on Windows."""
    path = binary.with_name(names.interpreter(app.main.name, target.os))
    if path.exists() or path.is_symlink():
        raise PkgError(f"{path.name} is taken in the build (package data?): the program's interpreter goes there")
    if target.os == "windows":
        shutil.copy2(binary, path)
    else:
        path.symlink_to(binary.name)


def arrange(built: Path, app: App, target: Target) -> Layout:
    """Put every command at the top of Nuitka's folder, the interpreter beside the binary; return the layout
    used (module docstring)."""
    binary = built / names.compiled_program(app.main.name, target.os)
    if target.os == "windows":
        add_commands(built, app, target, binary.name)
        add_interpreter(binary, app, target)
        return Layout.FLAT
    if not any((built / name).exists() for name in (*app.command_names, names.interpreter(app.main.name, target.os))):
        binary = binary.rename(built / app.main.name)
        add_commands(built, app, target, app.main.name)
        add_interpreter(binary, app, target)
        return Layout.FLAT
    lib = built / names.LIB
    lib.mkdir()
    for item in built.iterdir():
        if item != lib:
            item.rename(lib / item.name)
    add_commands(built, app, target, f"{names.LIB}/{binary.name}")
    add_interpreter(lib / binary.name, app, target)
    print(f"note: a command's name is taken by a folder (package data), so the commands link to "
          f"{names.LIB}/{binary.name}")
    return Layout.LIB


def commands_layout(backend: Backend, built: Path, app: App, target: Target) -> Layout:
    """Every command at the folder's top, whichever backend built it; the layout used."""
    if backend is Backend.NUITKA:
        return arrange(built, app, target)
    add_commands(built, app, target, names.program(app.main.name, target.os))
    return Layout.ONEFILE if backend.onefile else Layout.FLAT


def interpreter_name_free(cfg: Config, app: App | None = None) -> None:
    """No command may take a name the program's interpreter is reached under (on any OS): at `make check` and
    before the compile."""
    if app is None:
        return
    for os_name in ("linux", "windows"):
        taken = names.interpreter(app.main.name, os_name).removesuffix(names.exe_suffix(os_name))
        if taken in app.command_names:
            raise PkgError(f"a command named {taken!r} would hide the program's interpreter (its sys.executable): "
                           "leave it out with tool.pkg.commands")


def commands_stage(ctx: BuildContext) -> None:
    ctx.layout = commands_layout(ctx.backend, ctx.built, ctx.app, ctx.target)


STAGE = Stage("commands", "every command at the folder's top: one program, a link (Windows: copy) per command, "
              "and the program's interpreter beside it", commands_stage, refuse=interpreter_name_free)
