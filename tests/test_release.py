"""`make release`: merging five runners' build manifests, refusals, checksums, SBOM, licenses, atomicity."""

import json
import shutil
import signal
import subprocess
import sys

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pkg import pipeline as release
from pkg.core import model, names, targets
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.release import merge

from .conftest import ROOT, example_config
from .fixtures import fake_build, fake_dist, multi_app, read_json

V = "0.2.0"
UNIX = [t for t in targets.DEFAULT_TARGETS if not t.startswith("windows")]


def cfg_at():
    return example_config()


def test_merge_all_five_targets(tmp_path):
    merged = merge.collect(fake_dist(tmp_path / "dist", V), V, require_all=True)
    assert sorted(merged.builds) == sorted(targets.DEFAULT_TARGETS) and merged.app.version == V
    assert {a.kind for a in merged.artifacts} == {Kind.ARCHIVE, Kind.REPORT, Kind.LICENSE_FILES}


def test_a_linux_build_above_its_glibc_floor_is_refused_in_ci_and_labelled_here(tmp_path):
    """A build made on a newer system than the declared floor (tool.pkg.glibc) would not start where the release
    promises it does: REQUIRE_TARGETS=all (CI) refuses it in one line; a local merge keeps it, and the notes say
    what it needs; its packages depend on what it needs."""
    dist = fake_dist(tmp_path / "dist", V)
    path = dist / names.build_manifest("tailor", "linux-arm64")
    manifest = model.read(path)
    manifest.builds["linux-arm64"] = manifest.builds["linux-arm64"].model_copy(update={"glibc": "2.35"})
    model.write(path, manifest)
    with pytest.raises(PkgError) as info:
        merge.collect(dist, V, require_all=True)
    assert str(info.value).startswith("REQUIRE_TARGETS=all refuses linux-arm64: it needs glibc 2.35, above the "
                                      "declared floor 2.28 (tool.pkg.glibc)") and "\n" not in str(info.value)
    merged = merge.collect(dist, V, require_all=True, above_floor_ok=True)
    assert merge.above_floor_warnings(merged) == [
        "linux-arm64 needs glibc 2.35 or newer, above the declared floor 2.28: it does not start on older systems "
        "(it was not built on the floor)"]
    assert merged.builds["linux-arm64"].glibc_required() == "2.35"
    assert merged.builds["linux-x86_64"].glibc_required() == "2.28" and not merged.builds["linux-x86_64"].above_floor()


def test_merge_rebases_a_runners_sub_folder(tmp_path):
    dist = tmp_path / "dist"
    fake_build(dist / "runner 2", "macos-arm64", V)
    merged = merge.collect(dist, V, require_all=False)
    build = merged.builds["macos-arm64"]
    (report,) = merged.select(Kind.REPORT, "macos")
    assert build.folder == "runner 2/tailor-macos-arm64" and report.path.startswith("runner 2/")
    assert all(f.startswith("runner 2/") for d in build.distributions for f in d.license_files)
    assert all((dist / a.path).exists() for a in merged.artifacts)


def test_merge_refusals(tmp_path):
    dist = fake_dist(tmp_path / "dist", V, UNIX)
    with pytest.raises(PkgError, match="REQUIRE_TARGETS=all but missing: windows-x86_64"):
        merge.collect(dist, V, require_all=True)
    assert merge.missing_targets(merge.collect(dist, V, False)) == ["windows-x86_64"]
    with pytest.raises(PkgError, match=r"built as version 0\.2\.0, not 0\.3\.0"):
        merge.collect(dist, "0.3.0", False)
    (dist / "runner2").mkdir()
    fake_build(dist / "runner2", "linux-arm64", V)
    with pytest.raises(PkgError, match="a second build of linux-arm64"):
        merge.collect(dist, V, False)
    shutil.rmtree(dist / "runner2")
    (dist / "runner3").mkdir()
    fake_build(dist / "runner3", "windows-x86_64", V, multi_app())  # another app's build mixed in
    with pytest.raises(PkgError, match="describes another app"):
        merge.collect(dist, V, False)
    shutil.rmtree(dist / "runner3")
    (dist / "tailor-macos-arm64.tar.gz").write_bytes(b"corrupt")
    with pytest.raises(PkgError, match="size or sha256 differs"):
        merge.collect(dist, V, False)
    with pytest.raises(PkgError, match="no builds to release"):
        merge.collect(tmp_path / "nothing", V, False)


@pytest.fixture(scope="module")
def unix_release(tmp_path_factory):
    root = tmp_path_factory.mktemp("rel")
    dist = fake_dist(root / "dist", V, UNIX)
    return release.release(cfg_at(), V, dist, root / "release", repo_out=root / "repo")


def test_release_directory_contents(unix_release):
    names = {p.name for p in unix_release.iterdir()}
    for target in UNIX:
        assert f"tailor-{target}.tar.gz" in names and f"tailor-{target}.tar.gz.sha256" in names
    assert {"SHA256SUMS", "manifest.json", "CHANGELOG.md", "LICENSES", f"tailor-{V}.cdx.json"} <= names
    manifest = model.read(unix_release / "manifest.json")
    assert manifest.moment == "release" and manifest.version == V
    assert manifest.release.missing_targets == ["windows-x86_64"] and sorted(manifest.builds) == sorted(UNIX)
    for artifact in manifest.artifacts:  # every file the release holds is an artifact of its manifest
        assert (unix_release / artifact.path).exists(), artifact.name
        if (unix_release / artifact.path).is_file() and artifact.kind not in (Kind.MANIFEST, Kind.CHECKSUMS):
            assert artifact.sha256 == model.sha256_file(unix_release / artifact.path)
        if artifact.url:
            assert artifact.url == example_config().download_url(V, artifact.name)
    on_disk = {p.name for p in unix_release.iterdir()}
    assert on_disk == {a.path.split("/")[0] for a in manifest.artifacts}
    assert {a.kind for a in manifest.artifacts} >= {Kind.ARCHIVE, Kind.CHECKSUM, Kind.CHECKSUMS, Kind.SBOM,
                                                    Kind.LICENSES, Kind.NOTES, Kind.FORMULA, Kind.INSTALL_SCRIPT,
                                                    Kind.MANIFEST}
    assert not list(unix_release.parent.glob(".*"))  # no staging left


def test_checksums_pass_sha256sum(unix_release):
    proc = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=unix_release, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = {line.split("  ", 1)[1] for line in (unix_release / "SHA256SUMS").read_text().splitlines()}
    assert "tailor-linux-x86_64.tar.gz" in listed and "manifest.json" in listed
    for sidecar in unix_release.glob("*.sha256"):
        proc = subprocess.run(["sha256sum", "-c", "--strict", sidecar.name], cwd=unix_release, capture_output=True)
        assert proc.returncode == 0
    (unix_release / "LICENSES" / "extra").write_text("x")  # a file added after the fact is caught…
    tampered = unix_release / "tailor-linux-arm64.tar.gz"
    data = tampered.read_bytes()
    tampered.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unix_release, capture_output=True, text=True)
    assert proc.returncode != 0 and "tailor-linux-arm64.tar.gz: FAILED" in proc.stdout
    tampered.write_bytes(data)


def test_sbom_is_valid_cyclonedx_of_what_ships(unix_release):
    text = (unix_release / f"tailor-{V}.cdx.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    assert bom["metadata"]["component"]["name"] == "tailor" and bom["metadata"]["component"]["version"] == V
    purls = {c.get("purl") for c in bom["components"]}
    assert {"pkg:pypi/click@8.5.1", "pkg:pypi/psutil@7.2.2", "pkg:generic/cpython@3.11.7"} <= purls
    names = {c["name"] for c in bom["components"]}
    for tool in ("nuitka", "pyinstaller", "pytest", "uv", "ruff", "zstandard", "ordered-set", "pip-audit", "tailor"):
        assert tool not in names
    click = next(c for c in bom["components"] if c["name"] == "click")
    assert click["licenses"][0]["license"]["id"] == "BSD-3-Clause"
    files = {c["name"]: c for c in bom["components"] if c["type"] == "file"}
    sums = dict(reversed(line.split("  ")) for line in (unix_release / "SHA256SUMS").read_text().splitlines())
    for target in UNIX:
        name = f"tailor-{target}.tar.gz"
        assert files[name]["hashes"][0]["content"] == sums[name]
    facts = {f: {p["name"]: p["value"] for p in files[f]["properties"]} for f in files}
    assert facts["tailor-linux-arm64.tar.gz"]["pkg:glibc-floor"] == "2.28"  # the oldest system each runs on
    assert facts["tailor-macos-arm64.tar.gz"]["pkg:macos-min"] == "11.0"
    assert "libcrypto.so.3" in names and "libcrypto.3.dylib" in names


def test_licenses_and_notes(unix_release):
    licenses = {p.name for p in (unix_release / "LICENSES").iterdir()}
    assert {"click-8.5.1", "psutil-7.2.2", "cpython-3.11.7", f"tailor-{V}"} <= licenses
    assert (unix_release / "LICENSES" / f"tailor-{V}" / "LICENSE").read_text() == "MIT license of tailor\n"
    notes = (unix_release / "CHANGELOG.md").read_text()
    assert notes.startswith(f"# tailor {V}") and "not built for: windows-x86_64" in notes
    assert "Vulnerability scan (pip-audit)" in notes


def test_existing_release_refused_unless_force(unix_release, tmp_path):
    dist = unix_release.parent.parent / "dist"
    with pytest.raises(PkgError, match="exists already"):
        release.release(cfg_at(), V, dist, unix_release.parent, repo_out=unix_release.parent)
    before = (unix_release / "SHA256SUMS").read_text()
    release.release(cfg_at(), V, dist, unix_release.parent, force=True, repo_out=unix_release.parent)
    assert (unix_release / "SHA256SUMS").read_text() == before  # reproducible


def test_a_distribution_without_license_files_is_a_warning(tmp_path):
    dist = fake_dist(tmp_path / "dist", V, ["linux-x86_64"])
    manifest = model.read(dist / "tailor-linux-x86_64.json")
    manifest.builds["linux-x86_64"].distributions.append(model.Distribution(name="no-license-dist", version="1.0"))
    model.write(dist / "tailor-linux-x86_64.json", manifest)
    final = release.release(cfg_at(), V, dist, tmp_path / "release", repo_out=tmp_path)
    assert "no license file found for no-license-dist-1.0" in (final / "CHANGELOG.md").read_text()
    bom = read_json(final / f"tailor-{V}.cdx.json")
    assert any(c["name"] == "no-license-dist" and "licenses" not in c for c in bom["components"])


def test_an_app_whose_wheel_has_no_license_file_ships_its_projects(tmp_path):
    """setuptools' default license patterns miss UNLICENSE (restructuredtext-lint 2.0.2's wheel has none): the
    app's license comes from the top of its project; a dependency's never does (its project is not here)."""
    from pkg.compile import ship

    site = tmp_path / "site"
    for dist in ("rst-app", "dep"):
        info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\nLicense: UNLICENSE\n")
        (info / "RECORD").write_text(f"{info.name}/METADATA,,\n{info.name}/RECORD,,\n")
    (site / "rst_app-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: rst-app\nVersion: 1.0\nRequires-Dist: dep\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "UNLICENSE").write_text("This is free and unencumbered software released into the public domain.\n")
    (project / "README.rst").write_text("not a license\n")
    dist = tmp_path / "dist"
    found, _ = ship.collect(site, None, "rst-app", dist / "x.licenses", dist, project)
    by_name = {d.name: d for d in found}
    assert by_name["rst-app"].license_files == ["x.licenses/rst-app-1.0/UNLICENSE"]
    assert by_name["dep"].license_files == []
    found, _ = ship.collect(site, None, "rst-app", dist / "x.licenses", dist)
    assert {d.name: d.license_files for d in found}["rst-app"] == []


def test_kill_at_any_moment_leaves_no_partial_release(tmp_path):
    """SIGKILL the release right after each of several stages (a stage that kills its own process, put into the
    list in the child): never a partial release/v<V>/, and the next run clears what the killed one left."""
    dist = fake_dist(tmp_path / "dist", V, UNIX)
    rel = tmp_path / "release"
    final = rel / f"v{V}"

    def run_release(kill_after: int | None) -> subprocess.CompletedProcess:
        code = ("import os, signal\nfrom pathlib import Path\nfrom pkg import pipeline\nfrom pkg.core import config\n"
                "from pkg.core.stage import Stage\n"
                f"if {kill_after!r} is not None:\n"
                f"    pipeline.RELEASE.insert({kill_after!r}, Stage('kill', 'SIGKILL', "
                "lambda ctx: os.kill(os.getpid(), signal.SIGKILL)))\n"
                f"pipeline.release(config.load(Path({str(ROOT)!r})), {V!r}, Path({str(dist)!r}), Path({str(rel)!r}), "
                f"repo_out=Path({str(tmp_path)!r}))\n")
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)

    stages = len(release.RELEASE)
    for kill_after in sorted({0, 1, stages // 3, stages // 2, 2 * stages // 3, stages - 1, stages}):
        done = run_release(kill_after)
        assert done.returncode == -signal.SIGKILL, (kill_after, done.stderr[-2000:])
        assert not final.exists(), f"killed after {kill_after} stages, {final} exists"
        assert list(rel.glob(f".v{V}.*")), "the kill landed while staging: its folder is left behind"
    done = run_release(None)
    assert done.returncode == 0, done.stderr
    assert subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=final, capture_output=True).returncode == 0
    assert not list(rel.glob(f".v{V}.*"))  # the finishing run cleared what the killed ones left


@pytest.fixture(scope="module")
def full_release(tmp_path_factory):
    """The CI merge case: five runners' builds in dist/, the Windows one as a zip only."""
    root = tmp_path_factory.mktemp("full")
    dist = fake_dist(root / "dist", V)
    shutil.rmtree(dist / "tailor-windows-x86_64")  # the release job downloads archives, not folders
    final = release.release(cfg_at(), V, dist, root / "release", require_all=True, repo_out=root / "repo")
    return final, root / "repo"


def test_full_release_has_msi_and_package_files(full_release):
    final, repo = full_release
    manifest = model.read(final / "manifest.json")
    assert manifest.release.missing_targets == [] and len(manifest.builds) == 5
    (msi,) = manifest.select(Kind.MSI)
    assert (final / msi.name).is_file() and (final / f"{msi.name}.sha256").is_file()
    assert msi.msi.product_code.startswith("{") and msi.msi.upgrade_code.strip("{}") == example_config().upgrade_code
    from pkg.channels import msi as msi_module

    assert msi_module.product_code(final / msi.name) == msi.msi.product_code
    assert (final / "tailor.rb").is_file() and (repo / "homebrew" / "Formula" / "tailor.rb").is_file()
    winget = sorted(p.name for p in (final / "winget").rglob("*.yaml"))
    assert len(winget) == 3 and any(p.suffix == ".yaml" for p in (repo / "winget" / "manifests").rglob("*"))
    assert (final / "tailor.json").is_file() and (final / "install.sh").is_file()
    assert (repo / "scoop" / "tailor.json").read_text() == (final / "tailor.json").read_text()
    assert subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=final, capture_output=True).returncode == 0
    assert subprocess.run(["ruby", "-c", str(final / "tailor.rb")], capture_output=True).returncode == 0
    notes = (final / "CHANGELOG.md").read_text()
    assert "not built for" not in notes and "colorama" in (final / f"tailor-{V}.cdx.json").read_text()


def test_prerelease_writes_no_package_manager_files(tmp_path):
    pre = "0.3.0rc1"
    dist = fake_dist(tmp_path / "dist", pre)
    final = release.release(cfg_at(), pre, dist, tmp_path / "release", repo_out=tmp_path / "repo")
    names = {p.name for p in final.iterdir()}
    assert "tailor-windows-x86_64.msi" in names and "install.sh" in names
    assert not {"tailor.rb", "tailor.json", "winget"} & names
    facts = model.read(final / "manifest.json").release
    assert not (tmp_path / "repo" / "homebrew").exists() and facts.prerelease and facts.msi_version == "0.3.0"


def test_verify_runs_the_archive_not_the_folder_ci_transferred(tmp_path):
    """CI's artifact transfer drops links and modes from the build folders: `verify` runs the archive."""
    dist = fake_dist(tmp_path / "dist", V, UNIX)
    folder = dist / f"tailor-{targets.host().name}"
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            target = path.resolve().read_bytes()
            path.unlink()
            path.write_bytes(target)
        if path.is_file():
            path.chmod(0o644)
    assert release.release(cfg_at(), V, dist, tmp_path / "release", repo_out=tmp_path / "repo").is_dir()


def test_verify_refuses_an_archive_of_another_version(tmp_path):
    dist = fake_dist(tmp_path / "dist", V, UNIX)
    host = targets.host().name
    shutil.rmtree(dist / f"tailor-{host}")
    fake_build(tmp_path / "other", host, "0.1.9")  # the program inside says 0.1.9
    (dist / f"tailor-{host}.tar.gz").write_bytes((tmp_path / "other" / f"tailor-{host}.tar.gz").read_bytes())
    manifest = model.read(dist / f"tailor-{host}.json")
    (archive,) = manifest.select(Kind.ARCHIVE, "linux")
    manifest.add(model.describe(dist / archive.path, dist, Kind.ARCHIVE, host))  # a manifest that agrees
    model.write(dist / f"tailor-{host}.json", manifest)
    with pytest.raises(PkgError, match=r"tailor --version printed 'tailor 0.1.9', without 0.2.0"):
        release.release(cfg_at(), V, dist, tmp_path / "release", repo_out=tmp_path / "repo")
    assert not (tmp_path / "release" / f"v{V}").exists()


def test_a_version_declared_to_differ_is_run_with_its_args_and_said_in_the_notes(tmp_path):
    import dataclasses

    from pkg.core.config import CommandOptions

    dist = fake_dist(tmp_path / "dist", V, UNIX)
    host = targets.host().name
    shutil.rmtree(dist / f"tailor-{host}")
    fake_build(tmp_path / "other", host, "0.1.9")  # the program inside says 0.1.9, an upstream bug declared
    (dist / f"tailor-{host}.tar.gz").write_bytes((tmp_path / "other" / f"tailor-{host}.tar.gz").read_bytes())
    manifest = model.read(dist / f"tailor-{host}.json")
    (archive,) = manifest.select(Kind.ARCHIVE, "linux")
    manifest.add(model.describe(dist / archive.path, dist, Kind.ARCHIVE, host))
    model.write(dist / f"tailor-{host}.json", manifest)
    declared = CommandOptions(version_args=("-V",), version_differs="upstream's __version__ is stale")
    cfg = dataclasses.replace(cfg_at(), command={"tailor": declared})
    final = release.release(cfg, V, dist, tmp_path / "release", repo_out=tmp_path / "repo")
    assert "- `tailor -V` prints 'tailor 0.1.9', not 0.2.0: upstream's __version__ is stale " \
           "(tool.pkg.command.tailor.version-differs)" in (final / "CHANGELOG.md").read_text()
