"""The Linux packaging tools, driven as their users do: dpkg-deb and rpm read packages back, lintian judges a
.deb, dpkg installs one on this machine (root), rpm installs one into a throwaway root; bash-completion, zsh,
fish and man load what a package or install.sh puts in place."""

import contextlib
import fcntl
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

DPKG_TURN = Path(tempfile.gettempdir()) / "pkg-tests-dpkg.lock"


BASH_COMPLETING = r"""
source /usr/share/bash-completion/bash_completion
if [ -n "$LOAD" ]; then source "$LOAD"; else __load_completion "$CMD" || exit 3; fi
spec=$(complete -p "$CMD") || exit 4
func=$(printf '%s' "$spec" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
read -ra COMP_WORDS <<< "$LINE"
if [[ $LINE == *" " ]]; then COMP_WORDS+=(""); fi
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=$LINE; COMP_POINT=${#LINE}
"$func" "$CMD" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def bash_completes(command: str, line: str, env: dict, load: Path | None = None, cwd: Path | None = None) -> list[str]:
    """What bash-completion's machinery offers at the end of `line`: the command's completion found the way
    bash-completion finds it (its folders, __load_completion) or sourced from `load`, then its function called
    as <TAB> calls it."""
    done = subprocess.run(["bash", "-c", BASH_COMPLETING],
                          env={"LANG": "C.UTF-8", **env, "CMD": command, "LINE": line, "LOAD": str(load or "")},
                          capture_output=True, text=True, timeout=60, cwd=cwd)
    assert done.returncode == 0, (command, done.returncode, done.stderr[-800:])
    return [w.strip() for w in done.stdout.splitlines() if w.strip()]


def zsh_loads(command: str, folder: Path, tmp: Path) -> bool:
    """compinit registers the command's completion from `folder` (its #compdef line) and zsh loads it cleanly."""
    script = ('fpath=("$DIR" $fpath); autoload -Uz compinit; compinit -u -d "$HOME/zcompdump"; '
              'f=${_comps[$CMD]}; [[ -n $f ]] || exit 3; autoload +X -Uz $f; print -r -- $f')
    done = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp), "DIR": str(folder), "CMD": command})
    assert done.returncode == 0 and not done.stderr, (command, done.returncode, done.stderr[-800:])
    return done.stdout.strip() == f"_{command}"


def fish_completes(line: str, env: dict, cwd: Path | None = None) -> list[str]:
    """fish's own `complete -C`: the candidates its completion files (found in its vendor folders) offer."""
    done = subprocess.run(["fish", "-c", f"complete -C {shlex.quote(line)}"], capture_output=True, text=True,
                          timeout=60, env={"LANG": "C.UTF-8", **env}, cwd=cwd)
    assert done.returncode == 0 and not done.stderr, (line, done.stderr[-800:])
    return [w.split("\t")[0] for w in done.stdout.splitlines()]


def man_renders(page: Path | str, env: dict | None = None) -> str:
    """`man` renders the page (a file, or a name it finds on its path) with groff's warnings on: none allowed."""
    args = ["-l", str(page)] if isinstance(page, Path) else [page]
    done = subprocess.run(["man", "--warnings", "-E", "UTF-8", *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MANWIDTH": "80", "MAN_KEEP_STDERR": "1",
                               **(env or {})})
    assert done.returncode == 0 and not done.stderr.strip(), (page, done.stderr[-800:])
    return done.stdout


def tools_accept(installed: list[Path], env: dict, tmp: Path, files: dict[str, str] | None = None) -> list[str]:
    """Each installed completion and man page (found among `installed`, the paths a package or install.sh
    put in place) loaded by its real consumer: bash-completion and fish complete `<command> --` with
    --help, zsh's compinit registers and loads it, man finds and renders the page without warnings. What
    was checked, as "<tool> <command>". `files`: what completing needs in the folder it runs in (a task
    runner's tasks file), name -> text."""
    checked = []
    for name, text in (files or {}).items():
        (tmp / name).write_text(text)
    for path in installed:
        folder, name = path.parent.as_posix(), path.name
        if folder.endswith("/bash-completion/completions"):
            assert "--help" in bash_completes(name, f"{name} --", env, cwd=tmp), path
            checked.append(f"bash {name}")
        elif folder.endswith(("/zsh/vendor-completions", "/zsh/site-functions")):
            assert zsh_loads(name[1:], path.parent, tmp), path
            checked.append(f"zsh {name[1:]}")
        elif folder.endswith("/fish/vendor_completions.d"):
            assert "--help" in fish_completes(f"{path.stem} --", env, cwd=tmp), path
            checked.append(f"fish {path.stem}")
        elif "/man/man" in folder:
            page = name.removesuffix(".gz").rsplit(".", 1)[0]
            where = subprocess.run(["man", "-w", page], capture_output=True, text=True, env=env)
            assert Path(where.stdout.strip()).resolve() == path.resolve(), (page, where.stdout, where.stderr)
            assert man_renders(page, env).strip()
            checked.append(f"man {page}")
    return checked


def deb_field(path: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(path), field], capture_output=True, text=True,
                          check=True).stdout.strip()


def rpm_query(path: Path, fmt: str) -> str:
    return subprocess.run(["rpm", "-qp", "--nosignature", "--qf", fmt, str(path)], capture_output=True, text=True,
                          check=True).stdout


def lintian(path: Path) -> list[str]:
    """lintian's findings at its default level (errors and warnings), info included."""
    done = subprocess.run(["lintian", "--info", str(path)], capture_output=True, text=True)
    return [ln for ln in (done.stdout + done.stderr).splitlines() if ln[:2] in ("E:", "W:", "I:")]


def installed_files(app_name: str, commands: list[str]) -> list[Path]:
    return [p for p in [Path("/usr/lib", app_name), Path("/usr/share/doc", app_name),
                        Path("/usr/share/lintian/overrides", app_name), *(Path("/usr/bin", c) for c in commands)]
            if p.exists() or p.is_symlink()]


def answers(program: str, version: str | None, **run) -> None:
    """The command runs: `--version` carries `version`, or (an app without --version) `--help` prints."""
    out = subprocess.run([program, "--version" if version else "--help"], capture_output=True, text=True,
                         timeout=60, **run)
    assert out.returncode == 0 and (version in out.stdout if version else out.stdout.strip()), \
        (program, out.stdout[-500:], out.stderr[-500:])


@contextlib.contextmanager
def dpkg_turn():
    """One dpkg at a time on this machine: test workers running in parallel (make test-adopt) take turns,
    as apt does (dpkg refuses to run while another holds its lock, it does not wait)."""
    with open(DPKG_TURN, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def dpkg_lifecycle(deb: Path, app_name: str, commands: list[str], version: str | None,
                   files: dict[str, str] | None = None) -> list[str]:
    """dpkg -i, every command from PATH in a fresh environment, its completions and man pages loaded by
    their tools (tools_accept: what was checked is returned), dpkg -r, dpkg -P: nothing left."""
    with dpkg_turn():
        return _dpkg_lifecycle(deb, app_name, commands, version, files)


def _dpkg_lifecycle(deb: Path, app_name: str, commands: list[str], version: str | None,
                    files: dict[str, str] | None) -> list[str]:
    assert os.geteuid() == 0, "the dpkg test installs for real: run as root (CI is)"
    assert installed_files(app_name, commands) == [], "left over from an earlier run"
    try:
        done = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
        for command in commands:
            answers(command, version, cwd="/", env=env)
            assert shutil.which(command, path="/usr/bin") == f"/usr/bin/{command}"
        listed = subprocess.run(["dpkg", "-L", app_name], capture_output=True, text=True, check=True).stdout
        with tempfile.TemporaryDirectory() as tmp:
            checked = tools_accept([Path(p) for p in listed.splitlines() if p.startswith("/usr/share/")
                                    and not p.startswith("/usr/share/doc") and Path(p).is_file()], env, Path(tmp),
                                   files)
        assert subprocess.run(["dpkg", "-r", app_name], capture_output=True).returncode == 0
        assert installed_files(app_name, commands) == []
        assert subprocess.run(["dpkg", "-P", app_name], capture_output=True).returncode == 0
        status = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", app_name], capture_output=True, text=True)
        assert "installed" not in status.stdout.replace("not-installed", "")
    finally:
        subprocess.run(["dpkg", "-P", app_name], capture_output=True)
    assert installed_files(app_name, commands) == []
    return checked


def rpm_root_install(rpm: Path, root: Path, app_name: str, commands: list[str], version: str | None) -> None:
    """Into a throwaway root: it has no glibc package, so --nodeps (the dependency is checked by -qpR)."""
    done = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-i", "--nodeps", "--nosignature",
                           str(rpm)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for command in commands:
        link = root / "usr" / "bin" / command
        assert os.readlink(link) == f"../lib/{app_name}/{command}"
        answers(str(link), version)
    assert (root / "usr" / "share" / "doc" / app_name / "copyright").is_file()
    erased = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-e", app_name],
                            capture_output=True, text=True)
    assert erased.returncode == 0, erased.stderr
    assert not (root / "usr" / "lib" / app_name).exists()
    assert not any((root / "usr" / "bin" / c).is_symlink() for c in commands)
