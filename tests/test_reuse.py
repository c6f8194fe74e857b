"""Stage `reuse`: an earlier build is kept only when it was made from the same inputs and is still whole."""

from pathlib import Path

from pkg.compile import reuse
from pkg.compile.context import BuildContext
from pkg.core import model, names, targets

from .conftest import example_config
from .fixtures import fake_build

TARGET = "linux-x86_64"


def dist_with_key(tmp_path: Path, key: str, target: str = TARGET) -> Path:
    dist = tmp_path / "dist"
    manifest = fake_build(dist, target, "0.2.0")
    manifest.builds[target] = manifest.builds[target].model_copy(update={"inputs": key})
    model.write(dist / names.build_manifest(manifest.app.name, target), manifest)
    return dist


def ctx(dist: Path, target: str = TARGET) -> BuildContext:
    return BuildContext(example_config(), targets.parse(target), dist, dist.parent / "work")


def test_a_windows_build_whose_msi_stage_failed_is_built_again(tmp_path):
    """The build manifest is written before stage msi: without the MSI recorded, that build is not whole."""
    dist = dist_with_key(tmp_path, "k" * 64, names.WINDOWS_TARGET)
    assert reuse.identical(ctx(dist, names.WINDOWS_TARGET), "k" * 64) is None
    path, manifest = model.find_build(dist, names.WINDOWS_TARGET)
    msi = dist / names.msi(manifest.app.name)
    msi.write_bytes(b"an msi")
    manifest.add(model.describe(msi, dist, model.Kind.MSI, names.WINDOWS_TARGET))
    model.write(path, manifest)
    assert reuse.identical(ctx(dist, names.WINDOWS_TARGET), "k" * 64) is not None


def test_the_same_key_and_an_intact_build_are_reused(tmp_path):
    dist = dist_with_key(tmp_path, "k" * 64)
    assert reuse.identical(ctx(dist), "k" * 64) is not None
    assert reuse.identical(ctx(dist), "other") is None


def test_a_changed_archive_or_a_missing_folder_is_built_again(tmp_path):
    dist = dist_with_key(tmp_path, "k" * 64)
    archive = next(dist.glob("*.tar.gz"))
    archive.write_bytes(archive.read_bytes() + b"x")
    assert reuse.identical(ctx(dist), "k" * 64) is None
    dist = dist_with_key(tmp_path / "again", "k" * 64)
    manifest = model.find_build(dist, TARGET)[1]
    import shutil

    shutil.rmtree(dist / manifest.builds[TARGET].folder)
    assert reuse.identical(ctx(dist), "k" * 64) is None


def test_the_key_covers_the_pipeline_itself(tmp_path, monkeypatch):
    """A change to any file of pkg/ (a flag, a template, the tools' lock) is a different build."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "nuitka.py").write_text("FLAGS = ('--a',)\n")
    monkeypatch.setattr(reuse, "PIPELINE", tmp_path / "pkg")
    first = reuse.pipeline_digest()
    (tmp_path / "pkg" / "nuitka.py").write_text("FLAGS = ('--b',)\n")
    assert reuse.pipeline_digest() != first
