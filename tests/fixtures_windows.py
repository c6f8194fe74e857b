"""Windows-shaped builds for the tests of the Windows path, with real PE programs, and Wine to run them.

The programs are cross-compiled with mingw-w64 (x86_64-w64-mingw32-gcc): each prints `<the name it was
started under> <version>` for --version, as every command of a Nuitka build does, so a copy per command
(the flat Windows layout) answers under its own name. Wine (Debian's wine64) runs them and its msiexec
installs the MSIs: a real Windows Installer engine, in a throwaway WINEPREFIX. Windows itself cannot
exist here; what differs in Wine is said where a test works around it.
"""

import functools
import os
import random
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from pkg.core import archive, model, names
from pkg.core.model import App, Build, Kind, Manifest

TARGET = names.WINDOWS_TARGET
PROGRAM_C = r"""
#include <stdio.h>
#include <string.h>
#include <windows.h>
int main(int argc, char **argv) {
    char path[MAX_PATH];
    GetModuleFileNameA(NULL, path, MAX_PATH);
    char *name = strrchr(path, '\\');
    name = name ? name + 1 : path;
    char *dot = strrchr(name, '.');
    if (dot && _stricmp(dot, ".exe") == 0) *dot = 0;
    if (argc > 1 && strcmp(argv[1], "--version") == 0) { printf("%s %s\n", name, VERSION); return 0; }
    printf("usage: %s [--version]\n", name);
    return 0;
}
"""


@functools.cache
def _compiled(version: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="pe-") as tmp:
        source, out = Path(tmp, "program.c"), Path(tmp, "program.exe")
        source.write_text(PROGRAM_C)
        subprocess.run(["x86_64-w64-mingw32-gcc", "-Os", "-s", f'-DVERSION="{version}"', "-o", str(out), str(source)],
                       check=True, capture_output=True)
        return out.read_bytes()


def pe_program(path: Path, version: str) -> Path:
    """A real x86-64 Windows program printing `<its name> <version>`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_compiled(version))
    return path


def windows_build(root: Path, app: App, version: str, files: dict[str, str] | None = None) -> Path:
    """<root>/<name>-windows-x86_64/: every command a copy of the program (Nuitka's flat Windows layout),
    plus `files` (relative path -> text)."""
    folder = root / names.stem(app.name, TARGET)
    for command in app.command_names:
        pe_program(folder / names.program(command, "windows"), version)
    for rel, text in (files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def bulky_windows_build(root: Path, app: App) -> Path:
    """A folder shaped like a Nuitka Windows build: exe, DLLs, nested data, awkward names, >100 files."""
    rng = random.Random(4)
    folder = root / names.stem(app.name, TARGET)
    files = {names.program(app.main.name, "windows"): 4096, "python311.dll": 3000, "vcruntime140.dll": 1500,
             "libffi-8.dll": 700, "lib/file with spaces.txt": 50, "lib/résumé naïve ÄÖü.txt": 33,
             "lib/deep/er/still/leaf.pyd": 999, "empty.dat": 0, "certifi/cacert.pem": 2048}
    files.update({f"data/chunk_{i:03}.bin": rng.randrange(1, 300) for i in range(120)})
    for rel, size in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(size))
    return folder


def windows_dist(dist: Path, folder: Path, app: App, zipped: bool) -> Path:
    """dist/ as the release job sees the Windows runner's build: its manifest, its zip, and the folder
    itself unless `zipped`."""
    manifest = Manifest(moment="build", app=app, builds={TARGET: Build(
        target=TARGET, backend="nuitka", layout="flat", folder=folder.name,
        commands={c: f"{folder.name}/{names.program(c, 'windows')}" for c in app.command_names})})
    zip_file = archive.create(folder, dist / names.archive(app.name, TARGET), archive.ZIP_EPOCH_MIN)
    manifest.add(model.describe(zip_file, dist, Kind.ARCHIVE, TARGET))
    if zipped:
        shutil.rmtree(folder)
    model.write(dist / names.build_manifest(app.name, TARGET), manifest)
    return dist


# --- Wine -------------------------------------------------------------------------------------------
UNINSTALL = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall"
ENVIRONMENT = r"HKLM\System\CurrentControlSet\Control\Session Manager\Environment"


@dataclass
class Wine:
    """A throwaway Windows: a WINEPREFIX of its own, offline (no Mono, no Gecko), quiet."""
    prefix: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "WINEPREFIX": str(self.prefix), "WINEDEBUG": "-all",
                "WINEDLLOVERRIDES": "mscoree,mshtml=", "DISPLAY": ""}

    def boot(self) -> "Wine":
        """Make the prefix, and keep its wineserver up until stop(): each `wine` call would otherwise start
        one and wait for it to shut down again (seconds per call)."""
        self.prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(["wineserver", "-p"], env=self.env, check=True, timeout=60)
        booted = self.run("wineboot", "--init", timeout=300)
        assert booted.returncode == 0, booted.stderr[-2000:]
        return self

    def stop(self) -> None:
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60)

    def run(self, *argv: str, debug: str = "-all", timeout: int = 120) -> subprocess.CompletedProcess:
        """`wine argv…`, its output through files, not pipes: the services Wine starts (winedevice…) inherit
        the output and outlive the call while the wineserver persists, so a pipe would never close."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            done = subprocess.run(["wine", self.program(argv[0]), *argv[1:]], env={**self.env, "WINEDEBUG": debug},
                                  stdout=out, stderr=err, stdin=subprocess.DEVNULL, timeout=timeout)
            out.seek(0), err.seek(0)
            return subprocess.CompletedProcess(done.args, done.returncode,
                                               out.read().decode(errors="replace"), err.read().decode(errors="replace"))

    def program(self, name: str) -> str:
        """A Windows program by its file in the prefix (system32/<name>.exe). `wine <name>` alone goes through
        start.exe's ShellExecuteEx, which waits on a desktop (explorer) that cannot start without a display:
        on a loaded machine it failed with "ShellExecuteEx failed: Internal error" (`reg query`, twice) where
        the program itself never ran."""
        found = self.prefix / "drive_c" / "windows" / "system32" / f"{name}.exe"
        return str(found) if "/" not in name and "\\" not in name and found.is_file() else name

    def msiexec(self, *argv: str, debug: str = "-all") -> subprocess.CompletedProcess:
        """msiexec, waited for; its exit code arrives through a Unix status, so modulo 256 (1603 -> 67). Its
        verbose Windows Installer log comes back as stdout (msiexec prints nothing): a failure says why (an
        uninstall once exited 1 silently in a clean-clone run on a loaded machine)."""
        with tempfile.TemporaryDirectory(prefix="msiexec-log-") as folder:
            log = Path(folder) / "msiexec.log"
            done = self.run("msiexec", *argv, "/l*v", "Z:" + str(log).replace("/", "\\"), debug=debug, timeout=300)
            data = log.read_bytes() if log.is_file() else b"(no log written)"
            said = data.decode("utf-16" if data[:2] == b"\xff\xfe" else "utf-8", errors="replace")
        return subprocess.CompletedProcess(done.args, done.returncode, said[-3000:], done.stderr)

    def host_path(self, windows_path: str) -> Path:
        """C:\\Program Files\\x -> <prefix>/drive_c/Program Files/x, each part matched without regard to case
        as Windows (and Wine) match it: a PATH entry Windows Installer writes as `c:\\program files\\x\\` names
        the same folder."""
        path = PureWindowsPath(windows_path)
        assert path.drive.upper() == "C:", windows_path
        current = self.prefix / "drive_c"
        for part in path.parts[1:]:
            if not (current / part).exists() and current.is_dir():
                part = next((c.name for c in current.iterdir() if c.name.lower() == part.lower()), part)
            current = current / part
        return current

    def reg_values(self, key: str) -> dict[str, str]:
        """`key`'s values; a `reg query` that fails is an error of its own, never an empty key (an empty PATH
        would read as "the program is not on PATH")."""
        done = self.run("reg", "query", key)
        assert done.returncode == 0 or "unable to find" in (done.stdout + done.stderr).lower(), \
            (key, done.returncode, done.stdout[-500:], done.stderr[-500:])
        out = done.stdout
        return {m[0]: m[2] for m in re.findall(r"^\s{4}(\S+)\s{4}(REG_\w+)\s{4}(.*?)\s*$", out, re.MULTILINE)}

    def reg_subkeys(self, key: str) -> list[str]:
        """The names of `key`'s direct sub-keys (reg prints them in full: HKEY_LOCAL_MACHINE\\…\\name)."""
        depth = len(key.split("\\"))
        lines = [ln.strip() for ln in self.run("reg", "query", key).stdout.splitlines() if ln.startswith("HKEY_")]
        return [ln.split("\\")[depth] for ln in lines if len(ln.split("\\")) == depth + 1]

    def installed_products(self) -> dict[str, dict[str, str]]:
        """Add/Remove Programs: ProductCode -> its values."""
        return {code: self.reg_values(f"{UNINSTALL}\\{code}") for code in self.reg_subkeys(UNINSTALL)
                if code.startswith("{")}

    def machine_path(self) -> list[str]:
        """The machine PATH as the registry holds it (Wine's msiexec leaves `;` where it removed an entry)."""
        return self.reg_values(ENVIRONMENT).get("PATH", "").split(";")

    def on_path(self, program: str) -> Path | None:
        """Where `program` is found along the machine PATH, read from the registry: Wine's cmd stops its
        search at an empty PATH element, which its own msiexec leaves behind after an upgrade."""
        for entry in filter(None, self.machine_path()):
            if entry.startswith("%"):
                continue
            candidate = self.host_path(entry) / program
            if candidate.is_file():
                return candidate
        return None
