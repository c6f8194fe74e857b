"""Scoop manifest: json round trip, the project's check(), and Scoop's own steps replayed in Python —
Scoop itself cannot run here (Windows only), so the substitutions below are a stand-in for its
autoupdate ($version in the URL, $sha256/$basename in the hash regex) and for its extract_dir/bin lookup."""

import dataclasses
import json
import re

import pytest

from pkg import archive, config, licence, scoop
from pkg.app import App
from pkg.errors import InputError, PkgError
from tests.fixtures import multi_app
from tests.fixtures_release import make_release


@pytest.fixture(scope="module")
def cfg():
    return config.load()


def write(cfg, release, release_dir, **kwargs):
    return scoop.write(cfg, App.from_dict(release["app"]), release, release_dir, **kwargs)


def test_manifest_describes_the_windows_zip(tmp_path, cfg):
    release_dir, release = make_release(tmp_path, cfg)
    assert write(cfg, release, release_dir) == [release_dir / "tailor.json"]
    manifest = json.loads((release_dir / "tailor.json").read_text(encoding="utf-8"))
    zip_art = next(a for a in release["artifacts"] if a["name"] == "tailor-windows-x86_64.zip")
    assert manifest["version"] == "0.2.0"
    app = App.from_dict(release["app"])
    assert (manifest["description"], manifest["homepage"], manifest["license"]) == (app.summary, app.homepage, "MIT")
    assert manifest["architecture"] == {"64bit": {"url": zip_art["url"], "hash": zip_art["sha256"],
                                                  "extract_dir": "tailor-windows-x86_64"}}
    assert manifest["bin"] == ["tailor.exe"]
    assert manifest["checkver"] == {"github": "https://github.com/example/tailor"}
    assert scoop.check(manifest) == []


def test_extract_dir_and_bin_exist_in_the_zip(tmp_path, cfg):
    release_dir, release = make_release(tmp_path, cfg)
    manifest = json.loads(write(cfg, release, release_dir)[0].read_text(encoding="utf-8"))
    entry = manifest["architecture"]["64bit"]
    top = archive.extract(release_dir / entry["url"].rsplit("/", 1)[1], tmp_path / "x")
    assert top.name == entry["extract_dir"] and all((top / name).is_file() for name in manifest["bin"])


def test_autoupdate_rebuilds_this_release(tmp_path, cfg):
    release_dir, release = make_release(tmp_path, cfg)
    manifest = json.loads(write(cfg, release, release_dir)[0].read_text(encoding="utf-8"))
    auto, current = manifest["autoupdate"], manifest["architecture"]["64bit"]
    url = auto["architecture"]["64bit"]["url"].replace("$version", manifest["version"])
    assert url == current["url"]
    assert auto["hash"]["url"].replace("$version", "0.2.0") == cfg.download_url("0.2.0", "SHA256SUMS")
    basename = url.rsplit("/", 1)[1]
    regex = auto["hash"]["regex"].replace("$sha256", "([a-fA-F0-9]{64})").replace("$basename", re.escape(basename))
    match = re.search(regex, (release_dir / "SHA256SUMS").read_text())
    assert match and match.group(1) == current["hash"]


def test_check_reports_problems():
    bad = {"version": 0.2, "architecture": {"64bit": {"url": "http://x", "hash": "ABC"}}, "autoupdate": {}}
    problems = scoop.check(bad)
    for expected in ("description is missing", "version must be a string", "url must be https",
                     "hash must be a lower-case sha256", "must use $version"):
        assert any(expected in p for p in problems), (expected, problems)


def test_no_zip_or_prerelease_writes_nothing(tmp_path, cfg, capsys):
    release_dir, release = make_release(tmp_path / "a", cfg, targets=("linux-x86_64",))
    assert write(cfg, release, release_dir) == []
    assert "no Windows zip in this release: Scoop manifest not written" in capsys.readouterr().out
    release_dir, release = make_release(tmp_path / "b", cfg, version="0.3.0b1", prerelease=True)
    assert write(cfg, release, release_dir) == []
    assert "0.3.0b1 is a pre-release: Scoop manifest not written" in capsys.readouterr().out
    assert not (release_dir / "tailor.json").exists()
    assert write(cfg, release, release_dir, allow_prerelease=True) == [release_dir / "tailor.json"]


def test_non_github_template_checks_the_homepage(tmp_path, cfg):
    other = dataclasses.replace(cfg, url_template="https://dl.example.org/{version}/{file}")
    release_dir, release = make_release(tmp_path, other)
    manifest = json.loads(write(other, release, release_dir)[0].read_text(encoding="utf-8"))
    assert manifest["checkver"]["url"] == release["app"]["homepage"] and "regex" in manifest["checkver"]
    assert manifest["autoupdate"]["architecture"]["64bit"]["url"] == \
        "https://dl.example.org/$version/tailor-windows-x86_64.zip"


def test_bad_release_is_one_line_error(tmp_path, cfg):
    release_dir, release = make_release(tmp_path, cfg)
    del release["artifacts"][0]["sha256"]
    with pytest.raises(PkgError, match="lacks sha256"):
        write(cfg, release, release_dir)


def test_every_command_is_on_path_and_licence_expressions_use_scoops_separators(tmp_path, cfg):
    release_dir, release = make_release(tmp_path, cfg, app=multi_app())
    manifest = json.loads(write(cfg, release, release_dir)[0].read_text(encoding="utf-8"))
    assert manifest["bin"] == ["mytool.exe", "mytool-admin.exe"] and manifest["license"] == "MIT|Apache-2.0"
    top = archive.extract(release_dir / "mytool-windows-x86_64.zip", tmp_path / "x")
    assert all((top / name).is_file() for name in manifest["bin"])


@pytest.mark.parametrize(("spdx", "text"), [("MIT", "MIT"), ("MIT AND Zlib", "MIT,Zlib"), ("MIT OR 0BSD", "MIT|0BSD"),
                                            (None, "Unknown")])
def test_licence_mapping(spdx, text):
    assert licence.scoop(licence.Licence(spdx=spdx)) == text


def test_a_nested_expression_is_an_error_at_config_time(cfg):
    app = dataclasses.replace(multi_app(), licence=licence.Licence(spdx="MIT AND (Apache-2.0 OR BSD-3-Clause)"))
    with pytest.raises(InputError, match="Scoop cannot express nested AND/OR"):
        scoop.check_app(cfg, app)
