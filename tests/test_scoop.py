"""Scoop manifest: json round trip, the project's check(), and Scoop's own steps replayed in Python —
Scoop itself cannot run here (Windows only), so the substitutions below are a stand-in for its
autoupdate ($version in the URL, $sha256/$basename in the hash regex) and for its extract_dir/bin lookup."""

import dataclasses
import json
import re

import pytest

from pkg.channels import scoop
from pkg.core import archive
from pkg.core.errors import InputError
from pkg.core.model import Kind, License
from pkg.project import license_mapping
from pkg.release import checksums
from tests.fixtures import multi_app
from tests.fixtures_release import make_release, run

from .conftest import example_config


@pytest.fixture(scope="module")
def cfg():
    return example_config()


def write(ctx) -> dict:
    """Run the stage; the manifest it wrote."""
    assert run(scoop.STAGE, ctx) is None
    return json.loads((ctx.folder / ctx.manifest.select(Kind.SCOOP)[0].path).read_text(encoding="utf-8"))


def test_manifest_describes_the_windows_zip(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    manifest = write(ctx)
    (artifact,) = ctx.manifest.select(Kind.SCOOP)
    assert artifact.path == "tailor.json" and artifact.copies == ["scoop/tailor.json"]
    assert (tmp_path / "scoop" / "tailor.json").read_text() == (ctx.folder / "tailor.json").read_text()
    (zip_art,) = ctx.manifest.select(Kind.ARCHIVE, "windows")
    assert manifest["version"] == "0.2.0"
    assert (manifest["description"], manifest["homepage"], manifest["license"]) == (
        ctx.app.summary, ctx.app.homepage, "MIT")
    assert manifest["architecture"] == {"64bit": {"url": zip_art.url, "hash": zip_art.sha256,
                                                  "extract_dir": "tailor-windows-x86_64"}}
    assert manifest["bin"] == ["tailor.exe"]
    assert manifest["checkver"] == {"github": "https://github.com/example/tailor"}
    assert scoop.check(manifest) == []


def test_extract_dir_and_bin_exist_in_the_zip(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    manifest = write(ctx)
    entry = manifest["architecture"]["64bit"]
    top = archive.extract(ctx.folder / entry["url"].rsplit("/", 1)[1], tmp_path / "x")
    assert top.name == entry["extract_dir"] and all((top / name).is_file() for name in manifest["bin"])


def test_autoupdate_rebuilds_this_release(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    manifest = write(ctx)
    checksums.write_sums(ctx.folder)
    auto, current = manifest["autoupdate"], manifest["architecture"]["64bit"]
    url = auto["architecture"]["64bit"]["url"].replace("$version", manifest["version"])
    assert url == current["url"]
    assert auto["hash"]["url"].replace("$version", "0.2.0") == cfg.download_url("0.2.0", "SHA256SUMS")
    basename = url.rsplit("/", 1)[1]
    regex = auto["hash"]["regex"].replace("$sha256", "([a-fA-F0-9]{64})").replace("$basename", re.escape(basename))
    match = re.search(regex, (ctx.folder / "SHA256SUMS").read_text())
    assert match and match.group(1) == current["hash"]


def test_check_reports_problems():
    bad = {"version": 0.2, "architecture": {"64bit": {"url": "http://x", "hash": "ABC"}}, "autoupdate": {}}
    problems = scoop.check(bad)
    for expected in ("description is missing", "version must be a string", "url must be https",
                     "hash must be a lower-case sha256", "must use $version"):
        assert any(expected in p for p in problems), (expected, problems)


def test_no_zip_or_a_prerelease_writes_nothing(tmp_path, cfg):
    assert run(scoop.STAGE, make_release(tmp_path / "a", cfg, targets=("linux-x86_64",))) == \
        "no Windows zip in this release"
    ctx = make_release(tmp_path / "b", cfg, "0.3.0b1")
    assert run(scoop.STAGE, ctx) == "0.3.0b1 is a pre-release: package managers only get stable releases"
    assert not (ctx.folder / "tailor.json").exists()


def test_non_github_template_checks_the_homepage(tmp_path, cfg):
    other = dataclasses.replace(cfg, url_template="https://dl.example.org/{version}/{file}")
    ctx = make_release(tmp_path, other)
    manifest = write(ctx)
    assert manifest["checkver"]["url"] == ctx.app.homepage and "regex" in manifest["checkver"]
    assert manifest["autoupdate"]["architecture"]["64bit"]["url"] == \
        "https://dl.example.org/$version/tailor-windows-x86_64.zip"


def test_every_command_is_on_path_and_license_expressions_use_scoops_separators(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg, app=multi_app())
    manifest = write(ctx)
    assert manifest["bin"] == ["mytool.exe", "mytool-admin.exe"] and manifest["license"] == "MIT|Apache-2.0"
    top = archive.extract(ctx.folder / "mytool-windows-x86_64.zip", tmp_path / "x")
    assert all((top / name).is_file() for name in manifest["bin"])


@pytest.mark.parametrize(("spdx", "text"), [("MIT", "MIT"), ("MIT AND Zlib", "MIT,Zlib"), ("MIT OR 0BSD", "MIT|0BSD"),
                                            (None, "Unknown")])
def test_license_mapping(spdx, text):
    assert license_mapping.scoop(License(spdx=spdx)) == text


def test_a_nested_expression_is_an_error_at_config_time(cfg):
    app = multi_app().model_copy(update={"license": License(spdx="MIT AND (Apache-2.0 OR BSD-3-Clause)")})
    with pytest.raises(InputError, match="Scoop cannot express nested AND/OR"):
        scoop.STAGE.refuse(cfg, app)
