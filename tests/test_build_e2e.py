"""A real Nuitka standalone build of the example app, then the smoke test, then bad input."""

import dataclasses
import json
import os
import tarfile
from pathlib import Path

import pytest

from pkg import build, config, manifest, targets
from pkg.errors import PkgError

from .conftest import ROOT, run_pkg

TARGET = targets.host()
NAME = f"tailor-{TARGET}"


def test_build_places_folder_archive_report_and_record(built):
    folder = built / NAME
    assert os.access(folder / "tailor", os.X_OK)
    assert (built / f"{NAME}.report.xml").read_text().lstrip().startswith("<?xml")
    assert not list(built.glob(".*"))  # no staging leftovers
    record = manifest.read(built / f"{NAME}.json")
    assert record["version"] == config.load().version and record["backend"] == "nuitka"
    (entry,) = record["artifacts"]
    assert entry["name"] == f"{NAME}.tar.gz" and entry["sha256"] == manifest.sha256_file(built / entry["path"])
    with tarfile.open(built / entry["path"]) as tar:
        assert {m.name.split("/")[0] for m in tar.getmembers()} == {NAME}
    assert record["tools"]["nuitka"]


def test_smoke_passes_on_the_real_build(built):
    proc = run_pkg("smoke", "--dist", str(built))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for check in ("--version prints", "docstring", "doctor --json is all true", "exit 0", "filters by level"):
        assert check in proc.stdout
    record = json.loads((built / f"{NAME}.json").read_text())
    assert record["startup"]["version"]["median_ms"] > 0


def test_smoke_fails_on_a_tampered_archive(built, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in (f"{NAME}.json", f"{NAME}.tar.gz"):
        (dist / name).write_bytes((built / name).read_bytes())
    with open(dist / f"{NAME}.tar.gz", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"tampered")
    proc = run_pkg("smoke", "--dist", str(dist))
    assert proc.returncode == 1 and "sha256 differs" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_smoke_without_a_build_says_so(tmp_path):
    proc = run_pkg("smoke", "--dist", str(tmp_path))
    assert proc.returncode == 1 and "run `make build`" in proc.stderr


def test_nuitka_failure_shows_log_tail_and_leaves_dist_clean(tmp_path, capsys):
    cfg = config.load()
    broken = dataclasses.replace(cfg, nuitka=dataclasses.replace(cfg.nuitka, flags=("--no-such-nuitka-option",)))
    dist = tmp_path / "dist"
    with pytest.raises(PkgError, match=r"Nuitka failed \(exit \d+\); full log: .*nuitka\.log") as info:
        build.build(broken, TARGET, dist, tmp_path / "work")
    assert "\n" not in str(info.value)
    assert "no-such-nuitka-option" in capsys.readouterr().err  # the log's tail
    assert list(dist.iterdir()) == []


def test_missing_compiler_fails_before_compiling(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CC", raising=False)
    with pytest.raises(PkgError, match="no C compiler found"):
        build.build(config.load(), TARGET, tmp_path / "dist", tmp_path / "work")


def test_unwritable_dist_and_missing_entry(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PkgError, match="is not writable"):
        build.build(config.load(), TARGET, blocker / "dist", tmp_path / "work")
    cfg = dataclasses.replace(config.load(), entry="nothere")
    with pytest.raises(PkgError, match=r"entry module missing: .*nothere/__main__\.py"):
        build.build(cfg, TARGET, tmp_path / "dist", tmp_path / "work")


def test_unknown_backend_is_refused(tmp_path):
    proc = run_pkg("build", "--backend", "cx_freeze", "--dist", str(tmp_path))
    assert proc.returncode == 2 and "unknown backend 'cx_freeze'" in proc.stderr


def test_arrange_flat_when_no_data_folder_clashes(tmp_path):
    built = tmp_path / "x.dist"
    built.mkdir()
    (built / "tailor.bin").write_text("")
    assert build.arrange(built, "tailor", TARGET) == "flat"
    assert (built / "tailor").is_file() and not (built / "tailor.bin").exists()
    assert build.arrange(built, "tailor", targets.parse("windows-x86_64")) == "flat"


def test_nuitka_flags_have_one_home():
    """The Makefile, scripts and workflows never carry Nuitka flags: they come from config + build.py."""
    cfg = config.load()
    cmd = build.nuitka_command(cfg, TARGET, Path("out"), Path("r.xml"))
    assert "--mode=standalone" in cmd and not any("onefile" in c for c in cmd)
    assert all(flag in cmd for flag in cfg.nuitka.flags)
    places = [ROOT / "Makefile", *sorted((ROOT / "scripts").glob("*")), *sorted(ROOT.glob(".github/workflows/*"))]
    for path in places:
        text = path.read_text()
        for flag in ("--standalone", "--mode=", "--include-package", "--python-flag", *cfg.nuitka.flags):
            assert flag not in text, f"{flag} copied into {path.relative_to(ROOT)}"


def test_real_build_plus_fixture_runners_make_a_full_release(built, tmp_path):
    """The CI merge case with the real Linux build: four other runners' records are fixtures."""
    import shutil
    import subprocess

    from pkg import release

    from .fixtures import fake_build

    cfg = config.load()
    dist = tmp_path / "dist"
    shutil.copytree(built, dist, symlinks=True)
    for target in targets.DEFAULT_TARGETS:
        if target != TARGET.name:
            fake_build(dist, target, cfg.version)
    final = release.release(cfg, cfg.version, dist, tmp_path / "release", require_all=True, repo_out=tmp_path)
    assert subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=final).returncode == 0
    names = {p.name for p in final.iterdir()}
    assert {f"{NAME}.tar.gz", "tailor-windows-x86_64.msi", "tailor.rb", "tailor.json", "winget", "install.sh"} <= names
    bom = json.loads((final / f"tailor-{cfg.version}.cdx.json").read_text())
    versions = {c["name"]: c.get("version") for c in bom["components"]}
    from importlib.metadata import version

    assert versions["click"] == version("click") and versions["psutil"] == version("psutil")
    record = json.loads((final / "manifest.json").read_text())
    assert tuple(map(int, record["builds"][TARGET.name]["glibc"].split("."))) >= (2, 17)
