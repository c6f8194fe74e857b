"""The .deb and .rpm of each Linux build (stage `packages`, nfpm), checked by the tools that consume them:
dpkg-deb and rpm read the metadata back, lintian judges the .deb, dpkg installs, runs and removes it on
this machine (root; marked e2e, so `make test-fast` never touches /usr), rpm installs the .rpm into a
throwaway root. The builds are the release fixtures
(tests/fixtures_release.py: a program per command printing `<command> <version>`); tests/test_build_e2e.py
does the same with the real Nuitka build of the example app."""

import gzip
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pkg.channels import install_scripts, linux_packages, package_proof
from pkg.core import archive, names, proc
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.release import checksums, notes, sbom
from tests.fixtures import EPOCH, multi_app
from tests.fixtures_release import make_release, run, shared_files
from tests.linux_tools import deb_field, dpkg_lifecycle, lintian, rpm_query, rpm_root_install
from tests.test_install_sh import run_install, serve

from .conftest import example_config

LINUX = ("linux-x86_64", "linux-arm64")
GLIBC = "2.17"   # what the build's files need
FLOOR = "2.28"   # the declared floor (tool.pkg.glibc), higher: the packages depend on it


def packaged(root: Path, version: str = "0.2.0", cfg=None, shared: dict[str, str] | None = None):
    ctx = make_release(root, cfg or example_config(), version, targets=LINUX, msi=False, app=multi_app(version),
                       shared=shared)
    for target in LINUX:
        ctx.inputs.builds[target] = ctx.inputs.builds[target].model_copy(update={"glibc": GLIBC, "glibc_floor": FLOOR})
    assert run(linux_packages.STAGE, ctx) is None
    return ctx


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """mytool has completions and a man page (stage share), mytool-admin none."""
    return packaged(tmp_path_factory.mktemp("packages"), shared=shared_files("mytool"))


def package(ctx, target: str, suffix: str) -> Path:
    (found,) = [a for a in ctx.manifest.select(Kind.PACKAGE) if a.target == target and a.name.endswith(suffix)]
    assert found.format == suffix.lstrip(".")  # the format is recorded, not only implied by the name
    return ctx.folder / found.path


def test_two_packages_per_linux_build_with_each_formats_names(release):
    app = release.app
    assert sorted(a.name for a in release.manifest.select(Kind.PACKAGE)) == sorted([
        "mytool-0.2.0-1.aarch64.rpm", "mytool-0.2.0-1.x86_64.rpm", "mytool_0.2.0_amd64.deb", "mytool_0.2.0_arm64.deb"])
    for target, deb_arch, rpm_arch in (("linux-x86_64", "amd64", "x86_64"), ("linux-arm64", "arm64", "aarch64")):
        deb = package(release, target, ".deb")
        assert (deb_field(deb, "Package"), deb_field(deb, "Version"), deb_field(deb, "Architecture")) == \
            (app.name, "0.2.0-1", deb_arch)
        assert deb_field(deb, "Maintainer") == example_config().maintainer
        assert deb_field(deb, "Depends") == f"libc6 (>= {FLOOR})"  # the declared floor, above what it needs
        assert deb_field(deb, "Homepage") == app.homepage
        assert deb_field(deb, "Description").splitlines()[0] == app.summary
        rpm = package(release, target, ".rpm")
        maintainer = example_config().maintainer
        assert rpm_query(rpm, "%{NAME} %{VERSION} %{RELEASE} %{ARCH}|%{LICENSE}|%{URL}|%{PACKAGER}|%{SUMMARY}") == \
            f"{app.name} 0.2.0 1 {rpm_arch}|MIT OR Apache-2.0|{app.homepage}|{maintainer}|{app.summary}"
        requires = subprocess.run(["rpm", "-qpR", "--nosignature", str(rpm)], capture_output=True, text=True).stdout
        assert f"glibc >= {FLOOR}" in requires.splitlines()


def test_rpm_lists_the_folder_a_link_per_command_and_the_docs(release):
    app = release.app
    rpm = package(release, "linux-x86_64", ".rpm")
    listed = subprocess.run(["rpm", "-qlp", "--nosignature", str(rpm)], capture_output=True, text=True,
                            check=True).stdout.split()
    for command in app.command_names:
        assert f"/usr/lib/{app.name}/{command}" in listed
        assert f"/usr/bin/{command}" in listed
    assert f"/usr/share/doc/{app.name}/copyright" in listed
    assert not any(p.startswith("/opt") for p in listed)
    links = rpm_query(rpm, "[%{FILENAMES} -> %{FILELINKTOS}\n]")
    assert f"/usr/bin/{app.main.name} -> ../lib/{app.name}/{app.main.name}" in links.splitlines()


def test_lintian_is_clean_and_every_override_says_why(release):
    deb = package(release, "linux-x86_64", ".deb")
    assert lintian(deb) == []
    with_doc = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(with_doc)) as tar:
        text = tar.extractfile(f"./usr/share/lintian/overrides/{release.app.name}").read().decode()
        log = gzip.decompress(tar.extractfile(f"./usr/share/doc/{release.app.name}/changelog.Debian.gz").read())
    lines = text.splitlines()
    overrides = [i for i, ln in enumerate(lines) if not ln.startswith("#")]
    assert overrides and all(i > 0 and lines[i - 1].startswith("# ") and len(lines[i - 1]) > 20 for i in overrides)
    assert log.decode().startswith(f"{release.app.name} (0.2.0-1) unstable;")


def test_prerelease_sorts_before_the_release_in_both_formats(tmp_path):
    ctx = packaged(tmp_path, "0.2.0rc1")
    deb, rpm = package(ctx, "linux-x86_64", ".deb"), package(ctx, "linux-x86_64", ".rpm")
    assert (deb.name, rpm.name) == ("mytool_0.2.0rc1_amd64.deb", "mytool-0.2.0rc1-1.x86_64.rpm")  # URL-safe names
    assert deb_field(deb, "Version") == "0.2.0~rc1-1"
    assert rpm_query(rpm, "%{VERSION}-%{RELEASE}") == "0.2.0~rc1-1"
    assert subprocess.run(["dpkg", "--compare-versions", "0.2.0~rc1-1", "lt", "0.2.0-1"]).returncode == 0
    assert subprocess.run(["dpkg", "--compare-versions", "0.2.0~rc1-1", "gt", "0.2.0~b2-1"]).returncode == 0
    compare = subprocess.run(["rpm", "--eval", "%{lua: print(rpm.vercmp('0.2.0~rc1-1', '0.2.0-1'))}"],
                             capture_output=True, text=True).stdout.strip()
    assert compare == "-1"


def test_the_same_build_gives_the_same_bytes(release, tmp_path):
    again = packaged(tmp_path, shared=shared_files("mytool"))
    for artifact in release.manifest.select(Kind.PACKAGE):
        assert (again.folder / artifact.path).read_bytes() == (release.folder / artifact.path).read_bytes()


def test_without_a_maintainer_no_package_is_made(tmp_path):
    from dataclasses import replace

    ctx = make_release(tmp_path, replace(example_config(), maintainer=None), targets=LINUX, msi=False)
    assert "maintainer" in linux_packages.STAGE.skip(ctx)


def test_checksums_sbom_notes_and_install_sh_carry_the_packages(tmp_path):
    """Later stages run on a release of its own: the module's shared one stays as packaging left it."""
    release = packaged(tmp_path / "packages", shared=shared_files("mytool"))
    run(checksums.EACH, release)
    run(sbom.STAGE, release)
    debs = [a for a in release.manifest.select(Kind.PACKAGE)]
    for artifact in debs:
        check = subprocess.run(["sha256sum", "-c", names.checksum(artifact.name)], cwd=release.folder)
        assert check.returncode == 0
    bom = json.loads((release.folder / names.sbom(release.app.name, "0.2.0")).read_text())
    hashes = json.dumps(bom)
    assert all(a.sha256 in hashes and a.name in hashes for a in debs)
    # the completions and man pages inside each Linux archive, as the archive's own components, hashed
    archives = {c["name"]: c for c in bom["components"] if c["name"].endswith(".tar.gz")}
    inside = {c["name"]: c["hashes"][0]["content"] for c in archives["mytool-linux-x86_64.tar.gz"]["components"]}
    shared = {a.path: a.sha256 for a in release.inputs.shared("linux-x86_64")}
    assert inside == shared and len(shared) == 4
    text = notes.render(tmp_path, release.app.name, "0.2.0", "v0.2.0", [], release.manifest.select(Kind.PACKAGE))
    assert "sudo apt install ./mytool_0.2.0_amd64.deb" in text
    assert "sudo dnf install ./mytool-0.2.0-1.x86_64.rpm" in text

    run(install_scripts.STAGE, release)
    checksums.write_sums(release.folder)
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "apt-get").write_text("#!/bin/sh\nexit 0\n")
    (fake / "apt-get").chmod(0o755)
    with serve(release.folder) as url:
        done = run_install(tmp_path, release.folder, "--base-url", url, "--target", "linux-x86_64", path_prefix=fake)
    assert done.returncode == 0, done.stderr
    assert "sudo apt install ./mytool_0.2.0_amd64.deb" in done.stdout


# --- installed for real ---------------------------------------------------------------------------------

@pytest.mark.e2e  # it installs into this machine's /usr: `make test`, never the fast suite
def test_deb_installs_runs_from_path_and_removes_cleanly(release):
    deb = package(release, "linux-x86_64", ".deb")
    checked = dpkg_lifecycle(deb, release.app.name, release.app.command_names, "0.2.0")
    assert checked == ["bash mytool", "fish mytool", "man mytool", "zsh mytool"]  # found where their tools look


def test_completions_and_man_pages_go_where_each_systems_tools_look(release):
    deb = subprocess.run(["dpkg-deb", "-c", str(package(release, "linux-x86_64", ".deb"))], capture_output=True,
                         text=True, check=True).stdout
    rpm = subprocess.run(["rpm", "-qlp", "--nosignature", str(package(release, "linux-x86_64", ".rpm"))],
                         capture_output=True, text=True, check=True).stdout.split()
    common = ["/usr/share/bash-completion/completions/mytool", "/usr/share/fish/vendor_completions.d/mytool.fish",
              "/usr/share/man/man1/mytool.1.gz"]
    for path in [*common, "/usr/share/zsh/vendor-completions/_mytool"]:  # Debian's zsh reads vendor-completions
        assert f".{path}" in deb.split(), path
    assert set(common) | {"/usr/share/zsh/site-functions/_mytool"} <= set(rpm)  # Fedora/RHEL's: site-functions
    assert "/usr/share/man/man1/mytool.1" not in rpm and "mytool-admin" not in deb.split("/usr/share/man")[-1]


def test_when_every_command_has_a_page_no_manual_page_override_is_left(tmp_path):
    shared = {**shared_files("mytool"), **shared_files("mytool-admin")}
    ctx = packaged(tmp_path, shared=shared)
    deb = package(ctx, "linux-x86_64", ".deb")
    assert lintian(deb) == []  # an unused override would be a finding
    listed = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    assert b"no-manual-page" not in listed


def test_rpm_installs_into_a_throwaway_root(release, tmp_path):
    rpm_root_install(package(release, "linux-x86_64", ".rpm"), tmp_path / "root", release.app.name,
                     release.app.command_names, "0.2.0")


# --- packages beside the distribution's ------------------------------------------------------------------

def test_declared_relations_reach_both_formats_in_their_syntax(tmp_path):
    relations = {"deb": {"conflicts": ("python3-mytool",), "replaces": ("python3-mytool (<< 2.0)",), "provides": ()},
                 "rpm": {"conflicts": ("python3-mytool",), "replaces": ("python3-mytool (<< 2.0)",), "provides": ()}}
    ctx = packaged(tmp_path, cfg=replace(example_config(), relations=relations))
    deb = package(ctx, "linux-x86_64", ".deb")
    assert deb_field(deb, "Conflicts") == "python3-mytool" and deb_field(deb, "Replaces") == "python3-mytool (<< 2.0)"
    rpm = package(ctx, "linux-x86_64", ".rpm")
    assert rpm_query(rpm, "[%{CONFLICTS}\n]") == "python3-mytool\n"
    assert subprocess.run(["rpm", "-qp", "--nosignature", "--obsoletes", str(rpm)], capture_output=True,
                          text=True).stdout.strip() == "python3-mytool < 2.0"
    assert lintian(deb) == []


def test_make_check_names_an_installed_package_that_ships_a_command_too(capsys):
    """lintian is installed here (set-up): an app whose command is `lintian` would collide with it."""
    app = multi_app().model_copy(update={"commands": [multi_app().main.model_copy(update={"name": "lintian"})]})
    linux_packages.check_app(example_config(), app)
    assert capsys.readouterr().out == (
        "note: /usr/bin/lintian is also shipped by the package lintian (installed here): dpkg refuses the .deb "
        'beside it unless tool.pkg.packages declares conflicts and replaces = ["lintian"]\n')
    relations = {"deb": {"conflicts": ("lintian",), "replaces": ("lintian",), "provides": ()}}
    linux_packages.check_app(replace(example_config(), relations=relations), app)
    assert capsys.readouterr().out == ""


# --- the release proves its own packages (stage prove-packages) -----------------------------------------

def test_the_release_unpacks_each_package_and_runs_its_commands(release, capsys):
    assert run(package_proof.STAGE, release) is None
    out = capsys.readouterr().out
    for target, suffix in [(t, s) for t in LINUX for s in (".deb", ".rpm")]:
        name = package(release, target, suffix).name
        ran = "2 command(s) run" if target == "linux-x86_64" else "commands not run: linux-arm64 is not this machine"
        assert f"proved {name}: unpacked, /usr/lib/mytool is the archive, {ran}" in out


def nfpm_from(cwd: Path):
    """nfpm_package as it was: run from `cwd` (the repository root), where nfpm 2.48.0's deb packager resolves a
    relative link inside a tree against its own working directory."""
    def package(scratch, pkg, target, epoch):
        proc.tool([linux_packages.nfpm(), "package", "--config", scratch / names.NFPM_CONFIG, "--packager",
                   pkg.format, "--target", target], "nfpm", env=linux_packages._env(epoch), cwd=cwd)
    return package


def test_a_deb_whose_second_command_nfpm_packed_as_a_directory_stops_the_release(tmp_path, monkeypatch):
    """The drop-in case: beside the packaging run, a folder named like the link's target (the app's package
    folder at the repository's root). The .deb then has an empty directory where the archive has a link."""
    cwd = tmp_path / "repository root"
    (cwd / "lib" / "mytool.bin").mkdir(parents=True)  # what both commands' links point to
    monkeypatch.setattr(linux_packages, "nfpm_package", nfpm_from(cwd))
    ctx = packaged(tmp_path / "release")
    with pytest.raises(PkgError) as refused:
        run(package_proof.STAGE, ctx)
    assert str(refused.value) == ("mytool_0.2.0_amd64.deb: /usr/lib/mytool/mytool: a directory where the archive "
                                  "has a link to lib/mytool.bin (and 3 more)")


def test_a_command_that_fails_from_the_unpacked_package_stops_the_release(tmp_path):
    ctx = make_release(tmp_path, example_config(), targets=("linux-x86_64",), msi=False, app=multi_app())
    built = tmp_path / "work" / names.stem(ctx.app.name, "linux-x86_64")
    program = built / "lib" / names.compiled_program("mytool", "linux")
    program.write_text("#!/bin/sh\necho 'no libfoo' >&2; exit 127\n")
    (release_archive,) = ctx.manifest.select(Kind.ARCHIVE)
    archive.create(built, ctx.folder / release_archive.path, EPOCH)  # what the release packs: a broken program
    run(linux_packages.STAGE, ctx)
    with pytest.raises(PkgError) as refused:
        run(package_proof.STAGE, ctx)
    assert str(refused.value) == ("mytool-0.2.0-1.x86_64.rpm: /usr/bin/mytool --version carries 0.2.0: exit 127, "
                                  "'no libfoo' (and 5 more)")


# --- any app's .deb is lintian-clean --------------------------------------------------------------------

def apache_app(tmp: Path, summary: str):
    """An Apache-2.0 app whose LICENSE is the full Apache text (as coverage's and sqlite-utils' are)."""
    from pkg.core.model import Distribution, License

    app = multi_app().model_copy(update={"license": License(spdx="Apache-2.0"), "summary": summary})
    ctx = make_release(tmp, example_config(), targets=LINUX, msi=False, app=app)
    text = Path("/usr/share/common-licenses/Apache-2.0").read_text() + "\n   Copyright 2009-2026 Widget Makers\n"
    license = ctx.dist / "licenses" / "LICENSE.txt"
    license.parent.mkdir(parents=True)
    license.write_text(text)
    entry = Distribution(name=app.dist, version="0.2.0", license="Apache-2.0", app=True,
                         license_files=[license.relative_to(ctx.dist).as_posix()])
    for target in LINUX:
        ctx.inputs.builds[target] = ctx.inputs.builds[target].model_copy(update={"glibc": GLIBC,
                                                                                "distributions": [entry]})
    return ctx


def test_an_apache_app_with_an_article_summary_is_lintian_clean(tmp_path):
    """Debian wants a pointer to common-licenses for the licenses it ships, not their text, and a synopsis
    without a leading article or final full stop (both failed real apps' .debs)."""
    ctx = apache_app(tmp_path, "The widget frobnicator for the shell.")
    assert run(linux_packages.STAGE, ctx) is None
    deb = package(ctx, "linux-x86_64", ".deb")
    assert lintian(deb) == []
    assert deb_field(deb, "Description").splitlines()[0] == "Widget frobnicator for the shell"
    copyright_file = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(copyright_file)) as tar:
        text = tar.extractfile("./usr/share/doc/mytool/copyright").read().decode()
    assert "/usr/share/common-licenses/Apache-2.0" in text and "Copyright 2009-2026 Widget Makers" in text
    assert "TERMS AND CONDITIONS" not in text


def test_a_license_debian_does_not_ship_is_given_in_full():
    from pkg.core.model import License

    app = multi_app().model_copy(update={"license": License(spdx="MIT")})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        license = Path(tmp) / "LICENSE"
        license.write_text("Copyright (c) 2020 A\n\nPermission is hereby granted, free of charge\n")
        text = linux_packages.copyright_text(app, [license], 2026)
    assert "Permission is hereby granted" in text and "common-licenses" not in text


@pytest.mark.parametrize("summary, rule", [
    ("Mytool frobnicates widgets", "must not start with the package name"),
    ("x" * 80, "must be at most 79 characters"),
])
def test_a_synopsis_debian_refuses_fails_make_check(summary, rule):
    from pkg.core.errors import InputError

    app = multi_app().model_copy(update={"summary": summary})
    with pytest.raises(InputError, match=f"{rule}.*set tool.pkg.description"):
        linux_packages.STAGE.refuse(example_config(), app)
