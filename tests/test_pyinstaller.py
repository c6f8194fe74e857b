"""The PyInstaller backend: real PyInstaller builds (onedir smoke-tested end to end, onefile run), and its
options derived from [tool.pkg.nuitka]."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pkg import build, config, manifest, pyinstaller, targets
from pkg.errors import PkgError

from .conftest import run_pkg

TARGET = targets.host()
NAME = f"tailor-{TARGET}"


def test_options_come_from_the_nuitka_table(tmp_path):
    cfg = config.load()
    other = dataclasses.replace(cfg, nuitka=dataclasses.replace(
        cfg.nuitka, include_packages=("tailor", "extra_pkg"), include_package_data=("datapkg",),
        include_distribution_metadata=("tailor", "click")))
    cmd = pyinstaller.pyinstaller_command(other, tmp_path / "launcher.py", tmp_path, onefile=False)
    assert "--collect-submodules=extra_pkg" in cmd and "--collect-data=datapkg" in cmd
    assert "--copy-metadata=click" in cmd and "--onedir" in cmd and cmd[-1] == str(tmp_path / "launcher.py")
    assert "--onefile" in pyinstaller.pyinstaller_command(cfg, tmp_path / "l.py", tmp_path, onefile=True)


def test_launcher_runs_the_entry_as_python_dash_m(tmp_path):
    launcher = pyinstaller.write_launcher(config.load(), tmp_path)
    proc = subprocess.run([sys.executable, str(launcher), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("tailor ")


def test_cross_compiling_is_refused_before_anything_is_written(tmp_path):
    other = targets.Target("windows" if TARGET.os != "windows" else "linux", "x86_64")
    with pytest.raises(PkgError, match="cannot cross-compile"):
        pyinstaller.compile(config.load(), other, tmp_path / "out", False, tmp_path / "log")
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def onedir(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("pyi dist")
    work = tmp_path_factory.mktemp("pyi work")
    proc = run_pkg("build", "--backend", "pyinstaller", "--dist", str(dist), "--work", str(work))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return dist


def test_onedir_build_has_the_release_layout_and_record(onedir):
    record = manifest.read(onedir / f"{NAME}.json")
    assert record["backend"] == "pyinstaller" and record["layout"] == "flat" and record["report"] is None
    assert os.access(onedir / NAME / "tailor", os.X_OK)
    assert (onedir / NAME / "_internal" / "tailor" / "data" / "levels.json").is_file()
    (entry,) = record["artifacts"]
    assert entry["sha256"] == manifest.sha256_file(onedir / entry["path"])


def test_onedir_build_passes_the_smoke_test(onedir):
    proc = run_pkg("smoke", "--dist", str(onedir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "doctor --json is all true" in proc.stdout and "FAIL" not in proc.stdout


def test_onefile_folder_holds_only_the_binary_and_it_works(tmp_path):
    cfg = config.load()
    build.stamp_version(cfg)
    folder = pyinstaller.compile(cfg, TARGET, tmp_path / "one", True, tmp_path / "one.log")
    assert [p.name for p in folder.iterdir()] == ["tailor"]
    proc = subprocess.run([str(folder / "tailor"), "doctor", "--json"], capture_output=True, text=True,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and all(report[key] is True for key in ("compiled", "data_file", "metadata",
                                                                        "platform_module", "native_module"))
