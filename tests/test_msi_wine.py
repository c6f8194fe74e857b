"""The MSI run by a real Windows Installer engine: Wine's msiexec (Debian's wine64), in a throwaway
WINEPREFIX, silent (/qn). Two releases of an app with two commands, each command a real PE program
(mingw-w64) printing `<command> <version>`:

  install 0.2.0 → every file under C:\\Program Files\\<app>, the folder once on the machine PATH, one
                  Add/Remove Programs entry (name, version, publisher) whose codes winget's manifest names,
                  every command runs from a new process through PATH
  reinstall     → still one product, files intact
  upgrade 0.3.0 → one product, the file 0.3.0 dropped is gone, the one it added is there, PATH once
  downgrade     → refused (1603, by the MSI's LaunchCondition), 0.3.0 stays
  uninstall     → no file, no PATH entry, no product left

Wine differs from Windows in ways the test works around, each said where it happens: exit codes arrive
modulo 256, its msiexec leaves a `;` where it removed a PATH entry and its cmd stops searching PATH at an
empty element (so PATH is read from the registry), and with /qn it logs no text for a failed launch
condition (so the condition's message is read from the MSI).
"""

import pytest
import yaml

from pkg.channels import msi, winget
from pkg.core import names, version
from pkg.core.model import Artifact, Kind

from .conftest import example_config
from .fixtures import multi_app
from .fixtures_windows import TARGET, Wine, windows_build

APP = multi_app()
OLD, NEW = "0.2.0", "0.3.0"
FILES = {OLD: {"lib/common.txt": "both", "lib/dropped.txt": "only in 0.2.0"},
         NEW: {"lib/common.txt": "both", "lib/added.txt": "only in 0.3.0"}}
SILENT_OK = 0  # /qn: no UI; 0 (not 3010 or 1641): no reboot asked for
LAUNCH_CONDITION_FAILED = 1603 % 256  # ERROR_INSTALL_FAILURE, through a Unix exit status


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("wine")
    msis, facts = {}, {}
    for v in (OLD, NEW):
        folder = windows_build(root / v, APP.model_copy(update={"version": v}), v, FILES[v])
        msis[v] = root / "msi" / f"{APP.name} {v}.msi"  # a space in the path on purpose
        facts[v] = msi.build_msi(example_config(), APP, folder, version.parse(v), msis[v], signer=None)
    wine = Wine(root / "prefix").boot()
    yield wine, msis, facts
    wine.stop()


def install_folder(wine: Wine):
    return wine.host_path(rf"C:\Program Files\{APP.name}")


def ours(wine: Wine) -> dict[str, dict[str, str]]:
    return {code: values for code, values in wine.installed_products().items()
            if values.get("DisplayName") == APP.name}


def path_entries(wine: Wine) -> list[str]:
    return [e for e in wine.machine_path() if e.rstrip("\\").lower() == rf"c:\program files\{APP.name}".lower()]


def files(wine: Wine) -> set[str]:
    folder = install_folder(wine)
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def expect_installed(wine: Wine, v: str, code: str) -> None:
    assert files(wine) == {names.program(c, "windows") for c in APP.command_names} | set(FILES[v])
    assert (install_folder(wine) / "lib" / "common.txt").read_text() == "both"
    products = ours(wine)
    assert list(products) == [code], products  # exactly one entry, this version's
    entry = products[code]
    assert (entry["DisplayVersion"], entry["Publisher"]) == (version.parse(v).msi, example_config().publisher)
    assert entry["URLInfoAbout"] == APP.homepage
    assert len(path_entries(wine)) == 1, wine.machine_path()
    for command in APP.command_names:  # a new process, the program found along the machine PATH
        program = wine.on_path(names.program(command, "windows"))
        assert program is not None and program.parent == install_folder(wine), \
            (command, wine.machine_path(), sorted(files(wine)))
        assert wine.run(str(program), "--version").stdout.strip() == f"{command} {v}"


def test_install_reinstall_upgrade_downgrade_uninstall(setup):
    wine, msis, facts = setup

    # install 0.2.0, silently; commands also run through cmd's own PATH search (no empty element yet)
    done = wine.msiexec("/i", str(msis[OLD]), "/qn")
    assert done.returncode == SILENT_OK, done.stderr[-500:]
    expect_installed(wine, OLD, facts[OLD].product_code)
    for command in APP.command_names:
        assert wine.run("cmd", "/c", f"{command} --version").stdout.strip() == f"{command} {OLD}"

    # the same version again: nothing doubles
    assert wine.msiexec("/i", str(msis[OLD]), "/qn").returncode == SILENT_OK
    expect_installed(wine, OLD, facts[OLD].product_code)

    # upgrade: the major upgrade removes 0.2.0 (and the file only it had)
    assert wine.msiexec("/i", str(msis[NEW]), "/qn").returncode == SILENT_OK
    expect_installed(wine, NEW, facts[NEW].product_code)
    assert "" in wine.machine_path()  # Wine's leftover `;` (why expect_installed reads PATH from the registry)

    # downgrade: refused by the LaunchCondition the MajorUpgrade rule writes; 0.3.0 stays
    refused = wine.msiexec("/i", str(msis[OLD]), "/qn", debug="err+msi")
    assert refused.returncode == LAUNCH_CONDITION_FAILED
    assert 'action L"LaunchConditions" returned 1603' in refused.stderr
    (condition,) = msi.read_table(msis[OLD], "LaunchCondition")
    assert condition["Condition"] == "NOT WIX_DOWNGRADE_DETECTED"
    assert condition["Description"].replace("[ProductName]", APP.name) == \
        f"A newer version of {APP.name} is already installed."
    expect_installed(wine, NEW, facts[NEW].product_code)

    # uninstall: nothing left
    assert wine.msiexec("/x", str(msis[NEW]), "/qn").returncode == SILENT_OK
    assert not install_folder(wine).exists()
    assert ours(wine) == {} and path_entries(wine) == []


def test_winget_names_what_windows_installer_registers(setup, tmp_path):
    """The installer manifest's ProductCode, UpgradeCode, DisplayName, Publisher and DisplayVersion are what
    Wine's Windows Installer records for the installed MSI (winget matches installed apps by them)."""
    wine, msis, facts = setup
    artifact = Artifact(name=names.msi(APP.name), kind=Kind.MSI, path=names.msi(APP.name), target=TARGET,
                        sha256="0" * 64, url=example_config().download_url(NEW, names.msi(APP.name)), msi=facts[NEW])
    built = winget.build(example_config(), APP, NEW, [artifact])
    installer = yaml.safe_load(winget.dump("installer", built["installer"]))
    (entry,) = installer["Installers"]
    (arp,) = entry["AppsAndFeaturesEntries"]
    assert wine.msiexec("/i", str(msis[NEW]), "/qn").returncode == SILENT_OK
    try:
        registered = wine.installed_products()[entry["ProductCode"]]
        assert arp["ProductCode"] == entry["ProductCode"]
        assert (arp["DisplayName"], arp["Publisher"], arp["DisplayVersion"]) == (
            registered["DisplayName"], registered["Publisher"], registered["DisplayVersion"])
        # the product is registered under the UpgradeCode the manifest names (packed GUIDs, as the registry has them)
        related = wine.reg_values(rf"HKLM\Software\Classes\Installer\UpgradeCodes\{pack(arp['UpgradeCode'])}")
        assert list(related) == [pack(entry["ProductCode"])]
    finally:
        assert wine.msiexec("/x", str(msis[NEW]), "/qn").returncode == SILENT_OK


def pack(guid: str) -> str:
    """Windows Installer's packed GUID (the registry's spelling): each group reversed, the last two
    groups reversed per byte."""
    g = guid.strip("{}").replace("-", "")
    parts = [g[0:8][::-1], g[8:12][::-1], g[12:16][::-1]]
    parts += [g[i:i + 2][::-1] for i in range(16, 32, 2)]
    return "".join(parts).upper()
