"""A real build of the example app as pip would install it (wheel → build env → Nuitka), then the smoke
test, then bad input."""

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pkg import pipeline
from pkg.compile import commands
from pkg.core import model, nuitka_report, targets
from pkg.core.errors import PkgError
from pkg.core.model import Kind

from . import linux_tools as linux
from .conftest import ROOT, example_config, run_pkg
from .fixtures import fake_build, multi_app, shared_of

TARGET = targets.host()
NAME = f"tailor-{TARGET}"
pytestmark = pytest.mark.e2e


def test_build_places_folder_archive_report_licenses_and_record(built):
    folder = built / NAME
    assert os.access(folder / "tailor", os.X_OK)
    assert (built / f"{NAME}.report.xml").read_text().lstrip().startswith("<?xml")
    assert not list(built.glob(".*"))  # no staging leftovers
    manifest = model.read(built / f"{NAME}.json")
    app, record = manifest.app, manifest.builds[TARGET.name]
    assert (app.name, app.dist, app.command_names, record.backend) == ("tailor", "tailor", ["tailor"], "nuitka")
    assert manifest.moment == "build" and manifest.version == app.version
    assert record.commands == {"tailor": f"{NAME}/tailor"} and record.layout == "lib"
    (entry,) = manifest.select(Kind.ARCHIVE)
    assert entry.name == f"{NAME}.tar.gz" and entry.sha256 == model.sha256_file(built / entry.path)
    assert {a.kind for a in manifest.artifacts} == {Kind.ARCHIVE, Kind.REPORT, Kind.LICENSE_FILES, Kind.MAN_PAGE,
                                                    Kind.BASH_COMPLETION, Kind.ZSH_COMPLETION, Kind.FISH_COMPLETION}
    with tarfile.open(built / entry.path) as tar:
        assert {m.name.split("/")[0] for m in tar.getmembers()} == {NAME}
        assert {a.path for a in manifest.shared(TARGET.name)} <= {m.name for m in tar.getmembers()}
    shipped = {d.name: d for d in record.distributions}
    assert {"click", "psutil", "tailor"} <= set(shipped) and shipped["tailor"].app is True
    assert shipped["click"].license == "BSD-3-Clause"
    for dist in shipped.values():  # license files collected from the build environment, beside the build
        assert dist.license_files and all((built / f).is_file() for f in dist.license_files)
    assert record.tools["nuitka"] == "4.3.3"
    # the system libraries Nuitka bundled, as dpkg knows them: package, version, license, purl, shipped hash
    libs = {lib.name: lib for lib in record.libraries}
    assert libs["libffi.so.8"].package == "libffi8" and libs["libffi.so.8"].license == "MIT"
    assert all(lib.purl.startswith(f"pkg:deb/debian/{lib.package}@") and lib.sha256 for lib in libs.values())
    assert all(lib.license_files and all((built / f).name == "copyright" for f in lib.license_files)
               for lib in libs.values())  # each one's Debian copyright, for LICENSES/
    assert libs["libffi.so.8"].source.startswith("Debian source package libffi ")
    # stdlib-exclude: readline (and GNU readline, GPL-3.0, with it) stays out although pdb and cmd import it
    assert "libreadline.so.8" not in libs and not list((folder / "lib").glob("libreadline*"))


def test_the_build_compiles_what_pip_installs(example_build):
    """The program holds the wheel's files (hatchling's generated _version.py) and its metadata."""
    built = example_build.dist
    report = (built / f"{NAME}.report.xml").read_text()
    assert 'name="tailor._version"' in report and "site-packages/tailor/" in report
    assert 'name="tailor/data/levels.json"' in report
    out = subprocess.run([str(built / NAME / "tailor"), "doctor", "--json"], capture_output=True, text=True)
    assert json.loads(out.stdout)["metadata"] is True
    # The pipeline writes nothing into the app's project: what git sees there (ignored files included) is what
    # the app's own backend writes (hatchling's _version.py), before and after the build alike.
    before = example_build.app_status_before
    assert example_build.app_status_after in (before, before + "!! app/tailor/_version.py\n")


def test_only_the_apps_own_modules_are_compiled_to_c(built):
    """tool.pkg.nuitka.compile's default ("app"): tailor's modules become C, its dependency's (click) go in as
    bytecode, and the program still runs every command (the smoke and e2e tests below)."""
    kinds = {m.get("name"): m.get("kind") for m in nuitka_report.root(built / f"{NAME}.report.xml").iter("module")}
    own = {n: k for n, k in kinds.items() if n == "tailor" or n.startswith("tailor.")}
    click = {n: k for n, k in kinds.items() if n == "click" or n.startswith("click.")}
    # but a package's __main__: bytecode, so the program's interpreter runs `python -m tailor` as CPython does
    assert own.pop("tailor.__main__").startswith("Uncompiled")
    assert len(own) >= 3 and all(k.startswith("Compiled") for k in own.values()), own
    assert len(click) >= 10 and all(k.startswith("Uncompiled") for k in click.values()), click


def test_smoke_passes_on_the_real_build(built):
    proc = run_pkg("build-test", "--dist", str(built))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for check in ("tailor --version carries", "tailor --help exits 0", "no arguments and no TTY exits 0",
                  "docstring", "doctor --json is all true", "filters by level", "tail --level bogus is refused",
                  "readline is left out (tailor never reads lines interactively): the program's Python cannot"):
        assert any(line.startswith("ok ") and check in line for line in proc.stdout.splitlines()), check
    assert "FAIL" not in proc.stdout
    proof = model.BuildTestRecord.read(built / f"{NAME}.build-test.json")
    assert proof.startup["version"].median_ms > 0 and proof.compared >= 7 and proof.target == TARGET.name
    # each command's start counted by callgrind: the work done, whatever the machine's load
    assert set(proof.instructions) == {"tailor --version"} and 20e6 < proof.instructions["tailor --version"] < 400e6
    assert proof.sha256 == model.sha256_file(built / proof.archive)
    assert "startup" not in (built / f"{NAME}.json").read_text()  # the build's manifest is the build's alone


def test_completions_come_from_the_compiled_program_and_man_from_its_help(built, tmp_path):
    """click's completion, printed by the compiled tailor, completes through bash-completion and fish by
    calling the compiled tailor; help2man's page renders in man without a warning."""
    folder = built / NAME
    env = {"PATH": f"{folder}:/usr/bin:/bin", "HOME": str(tmp_path)}
    bash = folder / "share/bash-completion/completions/tailor"
    assert linux.bash_completes("tailor", "tailor ", env, load=bash) == ["doctor", "levels", "tail"]
    assert "--lines" in linux.bash_completes("tailor", "tailor tail --li", env, load=bash)
    assert linux.zsh_loads("tailor", folder / "share/zsh/site-functions", tmp_path)
    shown = linux.man_renders(folder / "share/man/man1/tailor.1")
    assert "Tail log files" in shown and "--version" in shown


def test_the_same_inputs_are_not_compiled_again(built):
    """`make release` right after `make build-test` compiles nothing: the second build finds the first by
    its inputs key and keeps it (one line says so); its archive and manifest are untouched."""
    manifest = built / f"{NAME}.json"
    before = (manifest.read_bytes(), (built / f"{NAME}.tar.gz").read_bytes())
    proc = subprocess.run([sys.executable, "-m", "pkg", "build", "--dist", str(built)], cwd=ROOT, text=True,
                          capture_output=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    key = model.read(manifest).builds[TARGET.name].inputs
    assert f"reusing {built / NAME}/: built from identical inputs (key {key[:12]})" in proc.stdout
    assert "compiling with Nuitka" not in proc.stdout
    assert ((built / f"{NAME}.json").read_bytes(), (built / f"{NAME}.tar.gz").read_bytes()) == before


def test_smoke_fails_on_a_tampered_archive(built, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in (f"{NAME}.json", f"{NAME}.tar.gz"):
        (dist / name).write_bytes((built / name).read_bytes())
    with open(dist / f"{NAME}.tar.gz", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"tampered")
    proc = run_pkg("build-test", "--dist", str(dist))
    assert proc.returncode == 1 and "sha256 differs" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_smoke_without_a_build_says_so(tmp_path):
    proc = run_pkg("build-test", "--dist", str(tmp_path))
    assert proc.returncode == 1 and "run `make build`" in proc.stderr


def test_nuitka_failure_shows_log_tail_and_leaves_dist_clean(tmp_path, capsys):
    broken = dataclasses.replace(example_config(), nuitka_flags=("--no-such-nuitka-option",))
    dist = tmp_path / "dist"
    with pytest.raises(PkgError, match=r"Nuitka \(standalone\) failed \(exit \d+\); full log: .*nuitka") as info:
        pipeline.build(broken, TARGET, dist, tmp_path / "work")
    assert "\n" not in str(info.value)
    assert "no-such-nuitka-option" in capsys.readouterr().err  # the log's tail
    assert list(dist.iterdir()) == []


def test_missing_compiler_fails_before_compiling(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CC", raising=False)
    with pytest.raises(PkgError, match="no C compiler found"):
        pipeline.build(example_config(), TARGET, tmp_path / "dist", tmp_path / "work")


def test_unwritable_dist(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PkgError, match="is not writable"):
        pipeline.build(example_config(), TARGET, blocker / "dist", tmp_path / "work")


def test_unknown_backend_is_refused(tmp_path):
    proc = run_pkg("build", "--backend", "cx_freeze", "--dist", str(tmp_path))
    assert proc.returncode == 2 and "unknown backend 'cx_freeze'" in proc.stderr


def nuitka_folder(tmp_path: Path, app, data_folder: str | None = None) -> Path:
    built = tmp_path / "x.dist"
    built.mkdir()
    (built / f"{app.main.name}.bin").write_text("")
    (built / "python311.so").write_text("")
    if data_folder:
        (built / data_folder).mkdir()
    return built


def test_arrange_flat_links_every_command_to_the_one_program(tmp_path):
    app = multi_app()
    built = nuitka_folder(tmp_path, app)
    assert commands.arrange(built, app, TARGET) == "flat"
    assert (built / "mytool").is_file() and not (built / "mytool.bin").exists()
    assert os.readlink(built / "mytool-admin") == "mytool"


def test_arrange_lib_when_a_command_name_is_a_data_folder(tmp_path):
    app = multi_app()
    built = nuitka_folder(tmp_path, app, data_folder="mytool")
    assert commands.arrange(built, app, TARGET) == "lib"
    assert sorted(p.name for p in built.iterdir()) == ["lib", "mytool", "mytool-admin"]
    assert os.readlink(built / "mytool") == os.readlink(built / "mytool-admin") == "lib/mytool.bin"
    assert (built / "lib" / "mytool").is_dir() and (built / "lib" / "python311.so").is_file()


def test_arrange_windows_copies_the_exe_per_command(tmp_path):
    app = multi_app()
    built = tmp_path / "w.dist"
    built.mkdir()
    (built / "mytool.exe").write_bytes(b"MZ")
    assert commands.arrange(built, app, targets.parse("windows-x86_64")) == "flat"
    assert (built / "mytool-admin.exe").read_bytes() == b"MZ" and not (built / "mytool-admin.exe").is_symlink()


def test_nuitka_flags_have_one_home():
    """The Makefile, scripts and workflows never carry Nuitka flags: they come from config + pkg/compile/nuitka.py."""
    cfg = example_config()
    places = [ROOT / "Makefile", *sorted((ROOT / "scripts").glob("*")), *sorted(ROOT.glob(".github/workflows/*"))]
    for path in places:
        text = path.read_text()
        for flag in ("--standalone", "--mode=", "--include-package", "--python-flag", "--main=",
                     *cfg.nuitka_flags, *cfg.nuitka_os_flags["linux"]):
            assert flag not in text, f"{flag} copied into {path.relative_to(ROOT)}"


def test_real_build_plus_fixture_runners_make_a_full_release(built, tmp_path):
    """The CI merge case with the real Linux build: four other runners' builds are fixtures."""
    manifest = model.read(built / f"{NAME}.json")
    version = manifest.version
    dist = tmp_path / "dist"
    shutil.copytree(built, dist, symlinks=True)
    for target in targets.DEFAULT_TARGETS:
        if target != TARGET.name:
            fake_build(dist, target, version, manifest.app, shared_of(dist, manifest))
    needs = manifest.builds[TARGET.name].glibc  # what this machine's build needs: its record says, not the host
    above = tuple(map(int, needs.split("."))) > tuple(map(int, "2.28".split(".")))
    if above:
        with pytest.raises(PkgError, match=rf"REQUIRE_TARGETS=all refuses {TARGET.name}: it needs glibc "
                           rf"{re.escape(needs)}, above the declared floor 2\.28"):
            pipeline.release(example_config(), version, dist, tmp_path / "release", require_all=True,
                             repo_out=tmp_path)
        assert not (tmp_path / "release").exists()  # refused while merging, before any folder is made
    final = pipeline.release(example_config(), version, dist, tmp_path / "release", require_all=True, repo_out=tmp_path,
                             above_floor_ok=True)
    assert subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=final).returncode == 0
    notes = (final / "CHANGELOG.md").read_text()
    assert (f"{TARGET.name} needs glibc {needs} or newer, above the declared floor 2.28" in notes) == above
    names = {p.name for p in final.iterdir()}
    assert {f"{NAME}.tar.gz", "tailor-windows-x86_64.msi", "tailor.rb", "tailor.json", "winget", "install.sh"} <= names
    bom = json.loads((final / f"tailor-{version}.cdx.json").read_text())
    shipped = {d.name: d.version for d in manifest.builds[TARGET.name].distributions}
    versions = {c["name"]: c.get("version") for c in bom["components"]}
    assert versions["click"] == shipped["click"] and versions["psutil"] == shipped["psutil"]
    assert "tailor" not in versions and bom["metadata"]["component"]["name"] == "tailor"  # the subject only
    libraries = manifest.builds[TARGET.name].libraries  # the system libraries the build record names (libffi…)
    assert libraries
    for library in libraries:
        described = next(c for c in bom["components"] if c["bom-ref"] == f"lib:{TARGET.name}:{library.name}")
        assert described.get("hashes", [None])[0] == ({"alg": "SHA-256", "content": library.sha256}
                                                      if library.sha256 else None)
        assert described.get("purl") == library.purl
    released = model.read(final / "manifest.json")
    assert tuple(map(int, released.builds[TARGET.name].glibc.split("."))) >= (2, 17)

    # the real program in its .deb (lintian, dpkg: installed, run from PATH, removed) and .rpm (a throwaway root)
    app = released.app
    packages = {a.format: final / a.path for a in released.select(Kind.PACKAGE)
                if a.target == TARGET.name}
    assert linux.lintian(packages["deb"]) == []
    checked = linux.dpkg_lifecycle(packages["deb"], app.name, app.command_names, version)
    assert checked == ["bash tailor", "fish tailor", "man tailor", "zsh tailor"]  # the compiled program completes
    formula = (final / "tailor.rb").read_text()
    assert 'bash_completion.install libexec/"share/bash-completion/completions/tailor"' in formula
    linux.rpm_root_install(packages["rpm"], tmp_path / "rpm root", app.name, app.command_names, version)
