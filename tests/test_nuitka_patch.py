"""The Nuitka patch the pipeline carries (pkg/compile/nuitka_patch.py): made for the locked Nuitka, applied to a
build environment's copy without touching the files uv linked from its cache, checked before every Nuitka run,
and refused in one line for another version or a changed file. What it does to compiled programs is proven by
the multitool fixture (tests/test_projects_e2e.py: `introspect` checks, equal to pip's) and by `make bench`."""

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from pkg.compile import nuitka_patch
from pkg.compile.appenv import TOOLS_PROJECT
from pkg.core.errors import PkgError

TOOLS_NUITKA = Path(__import__("nuitka").__file__).resolve().parent.parent  # pkg's own venv: as released


def locked_nuitka() -> str:
    lock = tomllib.loads((TOOLS_PROJECT / "uv.lock").read_text(encoding="utf-8"))
    return next(p["version"] for p in lock["package"] if p["name"] == "nuitka")


def test_the_patch_is_for_the_locked_nuitka():
    """A Nuitka upgrade in pkg/uv.lock fails here first: remake the patch for it, or drop it."""
    assert nuitka_patch.FOR_NUITKA == locked_nuitka()
    assert nuitka_patch.installed_version(TOOLS_NUITKA) == locked_nuitka()


def test_the_recorded_hashes_are_the_released_files_and_the_patch_applied_to_them():
    changes = nuitka_patch.hunks(nuitka_patch.PATCH.read_bytes())
    assert sorted(changes) == sorted(nuitka_patch.FILES)
    for path, (released, patched) in nuitka_patch.FILES.items():
        data = (TOOLS_NUITKA / path).read_bytes()
        assert nuitka_patch.sha256(data) == released, path
        assert nuitka_patch.sha256(nuitka_patch.applied(data, changes[path], path)) == patched, path


def test_the_patch_takes_inspect_out_of_the_start():
    """The patch removes main()'s eager import, keeping the replacements (now made on import)."""
    text = nuitka_patch.PATCH.read_text(encoding="utf-8")
    assert "-    module_inspect = IMPORT_MODULE5(tstate, const_str_plain_inspect" in text
    assert "+    patchLoadedModule(tstate, name, module);" in text


@pytest.fixture()
def site(tmp_path) -> Path:
    """A build environment's site-packages holding the locked Nuitka's files the patch changes, each a hard link
    to a 'cache' copy as uv installs them."""
    cache, site = tmp_path / "uv-cache", tmp_path / "site-packages"
    for path in nuitka_patch.FILES:
        (cache / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TOOLS_NUITKA / path, cache / path)
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        os.link(cache / path, site / path)
    info = next(TOOLS_NUITKA.glob("[Nn]uitka-*.dist-info"))
    shutil.copytree(info, site / info.name)
    return site


def test_applied_once_verified_and_the_linked_cache_untouched(site):
    nuitka_patch.apply(site)
    nuitka_patch.verify(site)
    nuitka_patch.apply(site)  # already patched: left as it is
    cache = site.parent / "uv-cache"
    for path, (released, patched) in nuitka_patch.FILES.items():
        assert nuitka_patch.sha256((site / path).read_bytes()) == patched
        assert nuitka_patch.sha256((cache / path).read_bytes()) == released, "uv's cached file was edited"


def test_an_unpatched_or_changed_nuitka_is_refused_before_running_it(site):
    with pytest.raises(PkgError, match=r"helpers.h: not as pkg/compile/nuitka_lazy_inspect.patch leaves it"):
        nuitka_patch.verify(site)  # installed, never patched
    nuitka_patch.apply(site)
    loader = site / "nuitka/build/static_src/MetaPathBasedLoader.c"
    loader.write_bytes(loader.read_bytes() + b"\n")
    with pytest.raises(PkgError, match=r"MetaPathBasedLoader.c: not as .* leaves it") as raised:
        nuitka_patch.verify(site)
    assert "\n" not in str(raised.value)


def test_another_nuitka_is_refused_in_one_line(site):
    info = next(site.glob("[Nn]uitka-*.dist-info"))
    meta = info / "METADATA"
    meta.write_text(meta.read_text(encoding="utf-8").replace(f"Version: {nuitka_patch.FOR_NUITKA}\n",
                                                             "Version: 4.4.0\n", 1), encoding="utf-8")
    for step in (nuitka_patch.apply, nuitka_patch.verify):
        with pytest.raises(PkgError, match=r"has Nuitka 4.4.0, but pkg/compile/nuitka_lazy_inspect.patch is for "
                                           rf"Nuitka {nuitka_patch.FOR_NUITKA}: remake the patch"):
            step(site)


def test_a_file_unlike_the_release_is_not_patched(site):
    helpers = site / "nuitka/build/include/nuitka/helpers.h"
    helpers.unlink()
    helpers.write_bytes(b"/* edited */\n")
    with pytest.raises(PkgError, match=r"helpers.h: not Nuitka .*'s file as released .* cannot be applied"):
        nuitka_patch.apply(site)


def test_the_patch_is_checked_out_byte_for_byte():
    """A Windows runner's checkout converts text files to CRLF unless told not to: the hunks would not match."""
    root = nuitka_patch.PATCH.parents[2]
    out = subprocess.run(["git", "check-attr", "text", str(nuitka_patch.PATCH.relative_to(root))], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("text: unset"), out
    assert b"\r\n" not in nuitka_patch.PATCH.read_bytes()
