"""winget manifests: layout, header, values, PyYAML round trip, the project's check() and the official
1.12.0 JSON schemas (vendored in tests/schemas/winget, see SOURCE.txt there)."""

import copy
import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from pkg.channels import winget
from pkg.core import names
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from tests.fixtures import multi_app
from tests.fixtures_release import make_release, run

from .conftest import example_config

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "winget" / "1.12.0"
KINDS = ("version", "installer", "defaultLocale")


@pytest.fixture(scope="module")
def cfg():
    return example_config()


def write(ctx) -> list[Path]:
    """Run the stage; the files it wrote (the repository's layout first, then the release's)."""
    assert run(winget.STAGE, ctx) is None
    files = list(names.winget_files(ctx.cfg.package_id, winget.LOCALE).values())
    repo = ctx.repo / names.winget_in_repo(ctx.cfg.package_id, str(ctx.version))
    return [repo / n for n in files] + [ctx.folder / names.WINGET / n for n in files]


def build(ctx) -> dict[str, dict]:
    return winget.build(ctx.cfg, ctx.app, str(ctx.version), ctx.manifest.select(Kind.MSI))


def load(folder: Path, package_id: str) -> dict[str, dict]:
    files = names.winget_files(package_id, winget.LOCALE)
    return {kind: yaml.safe_load((folder / files[kind]).read_text(encoding="utf-8")) for kind in KINDS}


def schema_errors(manifests: dict[str, dict]) -> list[str]:
    """Errors against the official schemas (vendored: a missing schema file fails the test)."""
    errors = []
    for kind, doc in manifests.items():
        schema = json.loads((SCHEMAS / f"manifest.{kind}.1.12.0.json").read_text(encoding="utf-8"))
        errors += [f"{kind}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    return errors


def test_writes_three_manifests_in_the_community_layout_and_the_release(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    write(ctx)
    repo_folder = tmp_path / "winget/manifests/t/TailorProject/Tailor/0.2.0"
    files = ["TailorProject.Tailor.yaml", "TailorProject.Tailor.installer.yaml",
             "TailorProject.Tailor.locale.en-US.yaml"]
    for name, kind in zip(files, KINDS, strict=True):
        text = (repo_folder / name).read_text(encoding="utf-8")
        assert text.splitlines()[0] == \
            f"# yaml-language-server: $schema=https://aka.ms/winget-manifest.{kind}.1.12.0.schema.json"
        assert (ctx.folder / "winget" / name).read_text(encoding="utf-8") == text
    assert sorted(p.name for p in repo_folder.iterdir()) == sorted(files)  # no staging leftovers
    (artifact,) = ctx.manifest.select(Kind.WINGET)
    assert artifact.path == "winget" and artifact.copies == ["winget/manifests/t/TailorProject/Tailor/0.2.0"]


def test_values_come_from_the_msi_and_config(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    write(ctx)
    docs = load(ctx.folder / "winget", cfg.package_id)
    (msi,) = ctx.manifest.select(Kind.MSI)
    installer = docs["installer"]
    assert installer["InstallerType"] == "wix" and installer["Scope"] == "machine"
    assert installer["UpgradeBehavior"] == "install" and installer["Commands"] == ["tailor"]
    assert installer["Installers"] == [{
        "Architecture": "x64", "InstallerUrl": msi.url, "InstallerSha256": msi.sha256.upper(),
        "ProductCode": msi.msi.product_code,
        "AppsAndFeaturesEntries": [{"DisplayName": ctx.app.name, "Publisher": cfg.publisher, "DisplayVersion": "0.2.0",
                                    "ProductCode": msi.msi.product_code, "UpgradeCode": "{" + cfg.upgrade_code + "}"}],
    }]
    locale = docs["defaultLocale"]
    assert (locale["Publisher"], locale["PackageName"], locale["License"]) == ("Tailor Project", "Tailor", "MIT")
    assert locale["ShortDescription"] == ctx.app.summary and locale["PackageUrl"] == ctx.app.homepage
    for doc in docs.values():  # YAML must not turn versions into numbers
        assert doc["PackageVersion"] == "0.2.0" and doc["ManifestVersion"] == "1.12.0"


def test_manifests_pass_the_projects_checks_and_the_official_schemas(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    write(ctx)
    docs = load(ctx.folder / "winget", cfg.package_id)
    assert winget.check(docs) == []
    assert schema_errors(docs) == []


# (mutation, the project's problem text, whether the official schema rejects it too: it does not know
# that an MSI ProductCode wants braces, nor that the files must agree with each other)
BROKEN = [
    (lambda d: d["defaultLocale"].pop("ShortDescription"), "defaultLocale: ShortDescription is missing", True),
    (lambda d: d["installer"]["Installers"][0].update(InstallerSha256="abc"), "InstallerSha256 must be 64 hex", True),
    (lambda d: d["installer"]["Installers"][0].update(ProductCode="A1894848-E15E-5D94-B083-A6B2D35AFA2F"),
     "ProductCode must be a {GUID}", False),
    (lambda d: [doc.update(PackageVersion=1.2) for doc in d.values()], "PackageVersion 1.2 must be a string", True),
    (lambda d: d["installer"].update(PackageIdentifier="TailorProject.Other"), "differs from the version", False),
    (lambda d: d["installer"]["Installers"][0].update(Architecture="amd64"), "not a winget architecture", True),
    (lambda d: d["installer"]["Installers"][0].update(InstallerUrl="http://x"), "InstallerUrl must be https", False),
    (lambda d: d["version"].update(ManifestVersion="1.28.0"), "ManifestVersion must be the string", False),
]


@pytest.mark.parametrize(("mutate", "problem", "schema_rejects"), BROKEN)
def test_check_reports_broken_manifests(tmp_path, cfg, mutate, problem, schema_rejects):
    good = build(make_release(tmp_path, cfg))
    bad = copy.deepcopy(good)
    mutate(bad)
    assert any(problem in p for p in winget.check(bad)), winget.check(bad)
    if schema_rejects:
        assert schema_errors(bad), "the official schema should reject this too"


def test_versions_stay_strings_in_yaml():
    text = winget.dump("version", {"PackageVersion": "1.10", "ManifestVersion": "1.12.0"})
    assert yaml.safe_load(text)["PackageVersion"] == "1.10"


def test_no_msi_or_a_prerelease_writes_nothing(tmp_path, cfg):
    assert run(winget.STAGE, make_release(tmp_path / "a", cfg, msi=False)) == "no MSI in this release"
    ctx = make_release(tmp_path / "b", cfg, "0.2.0rc1")
    assert run(winget.STAGE, ctx) == "0.2.0rc1 is a pre-release: package managers only get stable releases"
    assert not (tmp_path / "b" / "winget").exists() and not (ctx.folder / "winget").exists()


def test_foreign_upgrade_code_is_refused_and_nothing_written(tmp_path, cfg):
    ctx = make_release(tmp_path, dataclasses.replace(cfg, upgrade_code="00000000-0000-4000-8000-000000000000"))
    ctx.cfg = cfg
    with pytest.raises(PkgError, match="is not tool.pkg.upgrade-code"):
        run(winget.STAGE, ctx)
    assert not (tmp_path / "winget").exists() and not (ctx.folder / "winget").exists()


def test_rewriting_a_version_replaces_its_folder(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    first = write(ctx)
    (first[0].parent / "stale.yaml").write_text("old\n")
    assert write(ctx) == first
    assert not (first[0].parent / "stale.yaml").exists()


def test_every_command_and_a_license_expression_pass_the_official_schema(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg, app=multi_app())
    write(ctx)
    docs = load(ctx.folder / "winget", cfg.package_id)
    assert docs["installer"]["Commands"] == ["mytool", "mytool-admin"]
    assert docs["defaultLocale"]["License"] == "MIT OR Apache-2.0" and docs["defaultLocale"]["Moniker"] == "mytool"
    assert winget.check(docs) == [] and schema_errors(docs) == []


def test_the_schemas_are_vendored_and_really_validate():
    """Without ../shared beside the clone the schema checks still run: a broken manifest fails them."""
    assert sorted(p.name for p in SCHEMAS.iterdir()) == [f"manifest.{k}.1.12.0.json" for k in
                                                         ("defaultLocale", "installer", "locale", "version")]
    assert schema_errors({"version": {"PackageIdentifier": "x"}})
