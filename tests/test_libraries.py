"""The system libraries a build bundles, described from this machine's package manager (dpkg here: Debian
12), and how the SBOM carries them: a scanner matches a purl and a hash, never a bare soname."""

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from pkg.compile import libraries
from pkg.core.model import Library, sha256_file
from pkg.core.shipped import Shipped
from pkg.release import sbom

from .fixtures import multi_app

LIBBZ2 = Path("/lib/x86_64-linux-gnu/libbz2.so.1.0")  # libbz2-1.0, which dpkg itself depends on
REPORT = """<nuitka-compilation-report>
  <included_dll name="libbz2.so.1.0" dest_path="libbz2.so.1.0" source_path="{src}" package="" />
  <included_dll name="libgone.so.1" dest_path="libgone.so.1" source_path="/nowhere/libgone.so.1" package="" />
</nuitka-compilation-report>"""


def test_a_bundled_library_gets_its_package_version_license_purl_and_hash(tmp_path):
    folder = tmp_path / "tool-linux-x86_64"
    folder.mkdir()
    shutil.copyfile(LIBBZ2, folder / "libbz2.so.1.0")
    report = ElementTree.fromstring(REPORT.format(src=LIBBZ2))
    (bz2, gone), texts = libraries.describe(report, folder)
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libbz2-1.0"], capture_output=True,
                             text=True, check=True).stdout
    source = subprocess.run(["dpkg-query", "-W", "-f", "${source:Package} ${source:Version}", "libbz2-1.0"],
                            capture_output=True, text=True, check=True).stdout
    assert bz2.source == f"Debian source package {source}" and source.startswith("bzip2 ")
    assert texts == {"libbz2.so.1.0": [Path("/usr/share/doc/libbz2-1.0/copyright")], "libgone.so.1": []}
    assert (bz2.name, bz2.package, bz2.version) == ("libbz2.so.1.0", "libbz2-1.0", version)
    assert bz2.purl == f"pkg:deb/debian/libbz2-1.0@{version.replace('+', '%2B')}?arch=amd64"
    assert bz2.sha256 == sha256_file(folder / "libbz2.so.1.0") and bz2.license == "BSD-variant"
    assert gone == Library(name="libgone.so.1")  # neither shipped nor owned: the name alone, no guess


@pytest.mark.parametrize(("library", "package", "expected"), [
    ("libuuid.so.1", "libuuid1", "BSD-3-Clause"),  # util-linux's `Files: libuuid/*`, not its GPL-2+ default
    ("libffi.so.8", "libffi8", "MIT"),             # Debian's "Expat"
    ("libssl.so.3", "libssl3", "Apache-2.0"),
])
def test_debian_copyright_gives_the_librarys_own_license(library, package, expected):
    """Packages every Debian 12 with Python has (util-linux, CPython's ctypes and ssl need them)."""
    assert libraries.debian_license(package, library) == expected


def test_the_sbom_lists_each_library_per_target_with_purl_hash_and_license():
    lib = Library(name="libbz2.so.1.0", sha256="ab" * 32, package="libbz2-1.0", version="1.0.8-5+b1",
                  license="BSD-variant", purl="pkg:deb/debian/libbz2-1.0@1.0.8-5%2Bb1?arch=amd64")
    shipped = Shipped(libraries={"libbz2.so.1.0": {"linux-x86_64": lib}, "libcrypto.3.dylib": {"macos-arm64": None}})
    text = sbom.render(sbom.build_bom(multi_app(), "0.2.0", shipped, [], 0))
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    components = {c["bom-ref"]: c for c in json.loads(text)["components"]}
    bz2 = components["lib:linux-x86_64:libbz2.so.1.0"]
    assert bz2["purl"] == lib.purl and bz2["version"] == "1.0.8-5+b1"
    assert bz2["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert bz2["licenses"][0]["license"]["name"] == "BSD-variant"
    assert components["lib:libcrypto.3.dylib"]["properties"] == [{"name": "pkg:targets", "value": "macos-arm64"}]


def test_a_library_is_traced_to_the_extension_module_that_brings_it_in():
    """libtinfo is needed by libreadline, which readline's extension needs: the module to leave out is readline."""
    report = ElementTree.fromstring("""<nuitka-compilation-report>
      <included_extension name="readline.so" dest_path="readline.so" reason="stdlib" />
      <included_dll name="libreadline.so.8" dest_path="libreadline.so.8" reason="Used by 'readline.so'" />
      <included_dll name="libtinfo.so.6" dest_path="libtinfo.so.6" reason="Used by 'libreadline.so.8'" />
      <included_dll name="libyaml-0.so.2" dest_path="libyaml-0.so.2"
                    reason="Used by 'yaml/_yaml.cpython-311-x86_64-linux-gnu.so'" />
    </nuitka-compilation-report>""")
    assert libraries.needed_by(report) == {"libreadline.so.8": "readline", "libtinfo.so.6": "readline",
                                           "libyaml-0.so.2": "yaml._yaml"}
    assert libraries.copyleft("GPL-3.0-or-later") and libraries.copyleft("LGPL-2.1-or-later OR MIT")
    assert not libraries.copyleft("BSD-3-Clause") and not libraries.copyleft(None)


def test_a_gpl_library_goes_to_licenses_and_the_notes_name_its_source(tmp_path):
    from pkg.core import names
    from pkg.release import licenses, notes

    text = tmp_path / "dist" / "tool-linux-x86_64.licenses" / "system-libreadline8-8.2-1.3" / "copyright"
    text.parent.mkdir(parents=True)
    text.write_text("Files: *\nLicense: GPL-3+\n")
    readline = Library(name="libreadline.so.8", package="libreadline8", version="8.2-1.3", license="GPL-3.0-or-later",
                       source="Debian source package readline 8.2-1.3", needed_by="readline",
                       license_files=[text.relative_to(tmp_path / "dist").as_posix()])
    ffi = Library(name="libffi.so.8", package="libffi8", version="3.4.4-1", license="MIT")
    shipped = Shipped(libraries={"libreadline.so.8": {"linux-x86_64": readline}, "libffi.so.8": {"linux-x86_64": ffi}})
    assert licenses.write(tmp_path / "LICENSES", tmp_path / "dist", shipped) == []
    assert (tmp_path / "LICENSES" / names.library_license_folder("libreadline8", "8.2-1.3") / "copyright").is_file()
    assert notes.gpl_sources(shipped.libraries) == [
        "- linux-x86_64: `lib/libreadline.so.8` (GPL-3.0-or-later, libreadline8 8.2-1.3, brought in by the module "
        "readline): its source is the Debian source package readline 8.2-1.3"]


def test_a_homebrew_library_brings_its_kegs_license_files(tmp_path):
    """The macOS runner's shape (no brew here: a Cellar laid out as Homebrew lays it out)."""
    keg = tmp_path / "opt" / "homebrew" / "Cellar" / "readline" / "8.2.13"
    (keg / "lib").mkdir(parents=True)
    (keg / "lib" / "libreadline.8.dylib").write_bytes(b"\xcf\xfa\xed\xfe")
    (keg / "COPYING").write_text("GNU GENERAL PUBLIC LICENSE\n")
    (keg / "README").write_text("not a license\n")
    found = libraries.from_homebrew(str(keg / "lib" / "libreadline.8.dylib"))
    assert found == {"package": "readline", "version": "8.2.13", "texts": [keg / "COPYING"]}
