"""The distributions an app runs with (its runtime closure, markers and extras evaluated) and the plugins
they offer, read from a site-packages folder made here."""

from pathlib import Path

from pkg.compile import installed


def dist_info(site: Path, name: str, version: str, requires=(), entry_points: str = "") -> None:
    folder = site / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             *(f"Requires-Dist: {r}" for r in requires)]
    (folder / "METADATA").write_text("\n".join(lines) + "\n")
    if entry_points:
        (folder / "entry_points.txt").write_text(entry_points)


def site(tmp_path: Path) -> Path:
    s = tmp_path / "site-packages"
    dist_info(s, "app", "1.0", ["lib>=1", "extra-only; extra == 'server'", "winonly; sys_platform == 'win32'"])
    dist_info(s, "lib", "2.0", ["plugin-pkg"])
    dist_info(s, "plugin-pkg", "0.1", entry_points="[app.checkers]\nC90 = plugin_mod.sub:Checker\n"
                                                    "[console_scripts]\nplugin-cli = plugin_mod.cli:main\n")
    dist_info(s, "extra-only", "3.0", entry_points="[console_scripts]\nserve = extra_only:main\n")
    dist_info(s, "winonly", "1.0")
    dist_info(s, "nuitka", "4.3.3", entry_points="[nuitka.plugins]\nx = nuitka.plugins:X\n")  # a build tool
    return s


def test_the_closure_follows_requirements_markers_and_extras(tmp_path):
    s = site(tmp_path)
    assert sorted(installed.closure(s, "app")) == ["lib", "plugin-pkg"]
    assert sorted(installed.closure(s, "app", ("server",))) == ["extra-only", "lib", "plugin-pkg"]


def test_plugins_are_the_entry_points_other_than_commands_of_the_closure_only(tmp_path):
    s = site(tmp_path)
    assert installed.plugins(installed.closure(s, "app", ("server",))) == {"plugin-pkg": ["plugin_mod.sub"]}


def test_the_build_tools_are_foreign_and_a_shared_namespace_is_not(tmp_path):
    s = site(tmp_path)
    dist_info(s, "zstandard", "0.25.0")
    records = {"plugin-pkg": "plugin_mod/__init__.py", "lib": "lib_mod.py\nshared/a.py",
               "nuitka": "nuitka/__init__.py\nshared/b.py", "zstandard": "zstandard/__init__.py\nzstd.so"}
    for name, files in records.items():
        folder = next(s.glob(f"{name.replace('-', '_')}-*.dist-info"))
        (folder / "RECORD").write_text("".join(f"{f},,\n" for f in files.split("\n")) + f"{folder.name}/METADATA,,\n")
    keep = {"app", *installed.closure(s, "app")}
    assert installed.foreign_modules(s, keep) == ["nuitka", "zstandard", "zstd"]
