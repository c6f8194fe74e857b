"""The PyInstaller backend: its command derived from the build environment, and real PyInstaller builds of
the example (onedir smoke-tested end to end, onefile run)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pkg.compile import appenv, nuitka, pyinstaller
from pkg.core import model, targets
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.project import metadata, wheel

from .conftest import example_config, run_pkg
from .fixtures import multi_app

TARGET = targets.host()
NAME = f"tailor-{TARGET}"


def fake_env(tmp_path: Path, app=None) -> appenv.BuildEnv:
    """A BuildEnv as appenv.create returns it, for deriving commands (nothing is run)."""
    app = app or multi_app()
    files = wheel.WheelFiles(modules={"my_tool": "my_tool/__init__.py"}, packages=("my_tool",),
                             top_modules=("helper",))
    meta = metadata.Metadata(name=app.dist, version=app.version)
    python = tmp_path / "env/bin/python"  # this Python (the build's version): its standard library is listed
    python.parent.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        python.symlink_to(sys.executable)
    return appenv.BuildEnv(tmp_path, python, tmp_path / "x.whl", meta, files, app)


def test_command_packs_the_apps_packages_metadata_and_the_shared_launcher(tmp_path):
    env = fake_env(tmp_path)
    script = pyinstaller.main_script(env, tmp_path, "linux")
    cmd = pyinstaller.pyinstaller_command(env, script, tmp_path, onefile=False)
    assert cmd[:3] == [str(env.python), "-m", "PyInstaller"] and "--name=mytool" in cmd
    assert "--collect-submodules=my_tool" in cmd and "--collect-data=my_tool" in cmd
    assert "--hidden-import=helper" in cmd and "--copy-metadata=my-tool" in cmd and cmd[-1] == str(script)
    assert "import my_tool.admin as entry" in script.read_text()  # one launcher for every command
    assert "--onefile" in pyinstaller.pyinstaller_command(env, script, tmp_path, onefile=True)
    assert not any(a.startswith("--exclude-module") for a in cmd)
    left_out = pyinstaller.pyinstaller_command(env, script, tmp_path, onefile=False, left_out=("readline",))
    assert "--exclude-module=readline" in left_out and left_out[-1] == str(script)  # tool.pkg.stdlib-exclude


def test_cross_compiling_is_refused_before_anything_is_written(tmp_path):
    other = targets.Target("windows" if TARGET.os != "windows" else "linux", "x86_64")
    with pytest.raises(PkgError, match="cannot cross-compile"):
        pyinstaller.compile(fake_env(tmp_path), other, tmp_path / "out", False, tmp_path / "log")
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def onedir(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("pyi dist")
    work = tmp_path_factory.mktemp("pyi work")
    proc = run_pkg("build", "--backend", "pyinstaller", "--dist", str(dist), "--work", str(work))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return dist


@pytest.mark.e2e
def test_onedir_build_has_the_release_layout_and_record(onedir):
    manifest = model.read(onedir / f"{NAME}.json")
    record = manifest.builds[TARGET.name]
    assert record.backend == "pyinstaller" and record.layout == "flat"
    assert not manifest.select(Kind.REPORT)
    assert os.access(onedir / NAME / "tailor", os.X_OK)
    assert (onedir / NAME / "_internal" / "tailor" / "data" / "levels.json").is_file()
    (entry,) = manifest.select(Kind.ARCHIVE)
    assert entry.sha256 == model.sha256_file(onedir / entry.path)
    assert {d.name for d in record.distributions} >= {"click", "psutil", "tailor"}  # no report: the closure


@pytest.mark.e2e
def test_onedir_build_passes_the_smoke_test(onedir):
    proc = run_pkg("build-test", "--dist", str(onedir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "doctor --json is all true" in proc.stdout and "FAIL" not in proc.stdout


@pytest.mark.e2e
def test_onefile_folder_holds_only_the_binary_and_it_works(tmp_path):
    dist = tmp_path / "dist"
    proc = run_pkg("build", "--backend", "pyinstaller-onefile", "--dist", str(dist), "--work", str(tmp_path / "w"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    folder = dist / NAME
    assert sorted(p.name for p in folder.iterdir()) == ["share", "tailor"]  # the binary, its completions and page
    assert sorted(p.relative_to(folder).as_posix() for p in (folder / "share").rglob("*") if p.is_file()) == [
        "share/bash-completion/completions/tailor", "share/fish/vendor_completions.d/tailor.fish",
        "share/man/man1/tailor.1", "share/zsh/site-functions/_tailor"]  # printed by the onefile binary itself
    out = subprocess.run([str(folder / "tailor"), "doctor", "--json"], capture_output=True, text=True,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    report = json.loads(out.stdout)
    assert out.returncode == 0 and all(report[key] is True for key in ("compiled", "data_file", "metadata",
                                                                       "platform_module", "native_module"))


def env_with_a_dependency(tmp_path: Path) -> appenv.BuildEnv:
    """fake_env whose venv holds the app's metadata and one dependency (datelib) that loads its locales by
    name and has a module for another OS."""
    env = fake_env(tmp_path)
    site = env.site_packages
    for name, requires, record in [
            ("my-tool", ["datelib>=2"], ["my_tool/__init__.py"]),
            ("datelib", [], ["datelib/__init__.py", "datelib/locales/__init__.py", "datelib/locales/de_DE.py",
                             "datelib/_osx.py", "datelib/calendars.json", "datelib_speedups.py",
                             "../../../bin/datelib"])]:
        info = site / f"{name.replace('-', '_')}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
                                       + "".join(f"Requires-Dist: {r}\n" for r in requires))
        (info / "RECORD").write_text("".join(f"{f},,\n" for f in [*record, f"{info.name}/METADATA"]))
    return env


def test_every_distribution_the_app_runs_with_is_shipped_whole(tmp_path):
    """What pip installs goes in whole, the dependencies' packages, modules, data and metadata too; an
    exclusion for one OS leaves a dependency's module out of that OS's builds only."""
    from dataclasses import replace

    from pkg.compile import nuitka_run

    env = env_with_a_dependency(tmp_path)
    assert sorted(env.shipped_files) == ["datelib", "my-tool"]
    cfg = replace(example_config(), exclude={}, exclude_os={"macos": {"datelib/_osx.py": "macOS only"}},
                  nuitka_flags=(), nuitka_os_flags={})
    linux = nuitka_run.nuitka_inputs(cfg, env, targets.Target("linux", "x86_64"), tmp_path / "work")
    assert linux.packages == ("datelib", "my_tool") and linux.modules == ("datelib_speedups", "helper")
    assert linux.runtime == ("datelib",) and "datelib._osx" not in linux.no_follow
    macos = nuitka_run.nuitka_inputs(cfg, env, targets.Target("macos", "arm64"), tmp_path / "work")
    assert "datelib._osx" in macos.no_follow
    cmd = nuitka.command(linux, "linux", tmp_path / "out", tmp_path / "r.xml")
    assert {"--include-package=datelib", "--include-package-data=datelib", "--include-module=datelib_speedups",
            "--include-distribution-metadata=datelib", "--include-distribution-metadata=my-tool"} <= set(cmd)
    script = pyinstaller.main_script(env, tmp_path, "linux")
    collected = pyinstaller.pyinstaller_command(env, script, tmp_path, onefile=False)
    assert {"--collect-submodules=datelib", "--collect-data=datelib", "--copy-metadata=datelib"} <= set(collected)
