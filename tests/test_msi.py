"""The MSI, built with the real msitools (wixl, msibuild) and read back with msiinfo and msiextract.

The WiX 5 path (wix/tailor.wxs, scripts/msi.ps1) needs Windows, dotnet and WiX, which cannot exist here:
its .wxs is checked for shape and variables, and its Python halves (--print-wix-vars, --record) run for real.
"""

import hashlib
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import pytest

from pkg.channels import msi, msi_runner, wxs
from pkg.core import model, names, version
from pkg.core.errors import InputError, PkgError
from pkg.core.model import Kind, MsiFacts
from tests import fixtures_windows
from tests.fixtures import example_app

from .conftest import ROOT, example_config

APP = example_app()


def make_windows_folder(root: Path) -> Path:
    return fixtures_windows.bulky_windows_build(root, APP)
TARGET = "windows-x86_64"
V1, V2 = "1.2.3", "1.3.0rc1"  # V2 is a pre-release: its ProductVersion drops the suffix
ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
WIX4_NS = "http://wixtoolset.org/schemas/v4/wxs"


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def installed_paths(path: Path) -> dict[str, int]:
    """Install path (below INSTALLFOLDER) -> size, rebuilt from the File, Component and Directory tables."""
    dirs = {r["Directory"]: r for r in msi.read_table(path, "Directory")}
    comps = {r["Component"]: r for r in msi.read_table(path, "Component")}

    def where(dir_id: str) -> PurePosixPath:
        if dir_id == wxs.INSTALLFOLDER:
            return PurePosixPath(".")
        return where(dirs[dir_id]["Directory_Parent"]) / dirs[dir_id]["DefaultDir"]

    found: dict[str, int] = {}
    for row in msi.read_table(path, "File"):
        rel = (where(comps[row["Component_"]]["Directory_"]) / row["FileName"]).as_posix()
        assert rel not in found, f"{rel} installed twice"
        found[rel] = int(row["FileSize"])
    return found


@pytest.fixture(scope="module")
def two_msis(tmp_path_factory):
    root = tmp_path_factory.mktemp("msi")
    folder = make_windows_folder(root)
    out = root / "out dir with spaces"
    fields = {v: msi.build_msi(example_config(), APP, folder, version.parse(v), out / f"tailor {v}.msi", signer=None)
              for v in (V1, V2)}
    return folder, {v: out / f"tailor {v}.msi" for v in (V1, V2)}, fields


def test_every_file_once_with_its_size(two_msis):
    folder, msis, _ = two_msis
    want = {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    assert len(want) > 100
    assert installed_paths(msis[V1]) == want


def test_msiextract_gives_back_the_same_tree(two_msis, tmp_path):
    folder, msis, _ = two_msis
    subprocess.run(["msiextract", "-C", str(tmp_path), str(msis[V1])], check=True, capture_output=True)
    assert tree(tmp_path / APP.name) == tree(folder)


def test_path_environment_row_and_actions(two_msis):
    _, msis, _ = two_msis
    assert msi.read_table(msis[V1], "Environment") == [
        {"Environment": "PATH", "Name": "=-*PATH", "Value": "[~];[INSTALLFOLDER]", "Component_": "PathComponent"}]
    comp = {r["Component"]: r for r in msi.read_table(msis[V1], "Component")}["PathComponent"]
    assert comp["ComponentId"] == "{" + wxs.path_component_guid(example_config()) + "}"
    assert comp["Directory_"] == wxs.INSTALLFOLDER
    sequence = {r["Action"]: int(r["Sequence"]) for r in msi.read_table(msis[V1], "InstallExecuteSequence")}
    assert sequence["WriteEnvironmentStrings"] == 5200 and sequence["RemoveEnvironmentStrings"] == 3300
    assert sequence["InstallValidate"] < sequence["RemoveExistingProducts"] < sequence["InstallInitialize"]
    features = {r["Component_"] for r in msi.read_table(msis[V1], "FeatureComponents")}
    assert features == {r["Component"] for r in msi.read_table(msis[V1], "Component")}


def props(path: Path) -> dict[str, str]:
    return {r["Property"]: r["Value"] for r in msi.read_table(path, "Property")}


def test_codes_and_versions_across_two_releases(two_msis):
    _, msis, fields = two_msis
    p1, p2 = props(msis[V1]), props(msis[V2])
    assert p1["UpgradeCode"] == p2["UpgradeCode"] == "{" + example_config().upgrade_code + "}"
    assert p1["ProductCode"] != p2["ProductCode"]
    assert (p1["ProductVersion"], p2["ProductVersion"]) == ("1.2.3", "1.3.0")
    assert msi.product_code(msis[V2]) == p2["ProductCode"] == fields[V2].product_code
    assert fields[V1] == MsiFacts(product_code=p1["ProductCode"], upgrade_code=p1["UpgradeCode"],
                                  product_version="1.2.3", signed=False)
    ids = [{r["Component"]: r["ComponentId"] for r in msi.read_table(m, "Component")} for m in msis.values()]
    assert ids[0] == ids[1]
    assert len(set(ids[0].values())) == len(ids[0])


def test_metadata_per_machine_x64(two_msis):
    _, msis, _ = two_msis
    p = props(msis[V1])
    assert p["Manufacturer"] == example_config().publisher and p["ProductName"] == APP.name and p["ALLUSERS"] == "1"
    assert {k: p[k] for k in wxs.arp_properties(APP)} == wxs.arp_properties(APP)
    assert p["ARPURLINFOABOUT"] == APP.homepage
    dirs = {r["Directory"]: r for r in msi.read_table(msis[V1], "Directory")}
    assert dirs[wxs.INSTALLFOLDER]["Directory_Parent"] == "ProgramFiles64Folder"
    assert dirs[wxs.INSTALLFOLDER]["DefaultDir"] == APP.name
    assert {r["Attributes"] for r in msi.read_table(msis[V1], "Component")} == {"256"}
    suminfo = subprocess.run(["msiinfo", "suminfo", str(msis[V1])], capture_output=True, text=True).stdout
    assert "Template: x64;1033" in suminfo
    media = msi.read_table(msis[V1], "Media")
    assert len(media) == 1 and media[0]["Cabinet"].startswith("#")  # '#': the cabinet is embedded
    codepage = subprocess.run(["msiinfo", "export", str(msis[V1]), "_ForceCodepage"],
                              capture_output=True, text=True).stdout
    assert "1252\t_ForceCodepage" in codepage


def test_ids_are_valid_and_short(two_msis):
    _, msis, _ = two_msis
    for table, key in (("File", "File"), ("Component", "Component"), ("Directory", "Directory")):
        for row in msi.read_table(msis[V1], table):
            assert ID.fullmatch(row[key]) and len(row[key]) <= 72, row[key]


def test_upgrade_table_refuses_downgrades(two_msis):
    _, msis, _ = two_msis
    rows = {r["ActionProperty"]: r for r in msi.read_table(msis[V1], "Upgrade")}
    down = rows["WIX_DOWNGRADE_DETECTED"]
    # Any installed version above this one is only detected (2 = OnlyDetect), never removed ...
    assert (down["VersionMin"], down["VersionMax"], int(down["Attributes"])) == ("1.2.3", "", msi.DOWNGRADE)
    assert not int(down["Attributes"]) & 256  # ... and the same version is not a downgrade
    # ... and the detection stops the install with the downgrade message.
    cond = {r["Condition"]: r["Description"] for r in msi.read_table(msis[V1], "LaunchCondition")}
    assert cond["NOT WIX_DOWNGRADE_DETECTED"] == wxs.DOWNGRADE_MESSAGE
    up = rows["WIX_UPGRADE_DETECTED"]  # older and same versions are removed (512: VersionMax inclusive)
    assert (up["VersionMin"], up["VersionMax"]) == ("", "1.2.3") and int(up["Attributes"]) & 512
    assert "WIX_DOWNGRADE_DETECTED" in props(msis[V1])["SecureCustomProperties"]


def test_same_input_same_identities(two_msis, tmp_path):
    folder, msis, _ = two_msis
    again = tmp_path / "again.msi"
    msi.build_msi(example_config(), APP, folder, version.parse(V1), again, signer=None)
    for table in ("Component", "File", "Directory", "Property", "Upgrade"):
        assert msi.read_table(again, table) == msi.read_table(msis[V1], table), table


@pytest.mark.parametrize("name, message", [
    ("日本語.txt", "outside Windows-1252"),
    ("a$(var.X).txt", "cannot be packaged by wixl"),
    ("bad:name.txt", "not valid on Windows"),
    ("trailing.", "not valid on Windows"),
])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, name, message):
    folder = tmp_path / "w"
    (folder / "sub").mkdir(parents=True)
    (folder / "ok.exe").write_bytes(b"MZ")
    (folder / "sub" / name).write_bytes(b"x")
    out = tmp_path / "out.msi"
    with pytest.raises(PkgError, match=re.escape(message)):
        msi.build_msi(example_config(), APP, folder, version.parse(V1), out, signer=None)
    assert not out.exists() and list(tmp_path.iterdir()) == [folder]


def test_names_differing_only_in_case_are_refused(tmp_path):
    (tmp_path / "A.dll").write_bytes(b"1")
    (tmp_path / "a.DLL").write_bytes(b"2")
    with pytest.raises(PkgError, match="differ only in case"):
        wxs.harvest(tmp_path)


def test_missing_folder_is_one_line_error(tmp_path):
    with pytest.raises(PkgError, match="no such folder") as err:
        msi.build_msi(example_config(), APP, tmp_path / "nope", version.parse(V1), tmp_path / "x.msi", signer=None)
    assert str(tmp_path / "nope") in str(err.value) and "\n" not in str(err.value)


# --- the stage: python -m pkg msi -------------------------------------------------------------------

def run_stage(*argv: str) -> None:
    """`python -m pkg msi …` as main() parses it, its PkgError left to the test."""
    from pkg import __main__ as cli

    args = cli.resolved(cli.parser().parse_args(["msi", *argv]))
    args.func(args)


def windows_dist(tmp_path: Path, ver: str, zipped: bool) -> Path:
    """dist/ as the release job sees it: the Windows runner's manifest, its zip, and its folder unless `zipped`."""
    dist = tmp_path / "dist"
    return fixtures_windows.windows_dist(dist, make_windows_folder(dist), APP.model_copy(update={"version": ver}),
                                         zipped)


@pytest.mark.parametrize("zipped", [False, True], ids=["folder", "zip"])
def test_stage_builds_and_records(tmp_path, monkeypatch, zipped):
    monkeypatch.delenv("SIGN_CERT", raising=False)
    dist = windows_dist(tmp_path, "2.0.1", zipped)
    run_stage("--dist", str(dist), "--version", "2.0.1")
    out = dist / f"{APP.name}-{TARGET}.msi"
    [entry] = model.find_build(dist, TARGET)[1].select(Kind.MSI)
    assert entry == model.describe(out, dist, Kind.MSI, TARGET, msi=MsiFacts(
        product_code=msi.product_code(out), upgrade_code="{" + example_config().upgrade_code + "}",
        product_version="2.0.1"))
    assert len(installed_paths(out)) > 100
    assert sorted(p.name for p in dist.iterdir() if p.name.startswith(".")) == []  # no staging left


def test_stage_errors(tmp_path, monkeypatch):
    dist = windows_dist(tmp_path, "2.0.1", zipped=True)
    (dist / f"{APP.name}-{TARGET}.zip").unlink()
    with pytest.raises(PkgError, match=r"neither .*tailor-windows-x86_64 nor its zip"):
        run_stage("--dist", str(dist), "--version", "2.0.1")
    with pytest.raises(PkgError, match="is version 2.0.1, not 2.0.2"):
        run_stage("--dist", str(dist), "--version", "2.0.2")
    for bad in ("1", "256.0.0", "1.0.0-beta", "1.0.0 "):
        with pytest.raises(InputError):
            run_stage("--dist", str(dist), "--version", bad)
    with pytest.raises(InputError, match="Windows target"):
        run_stage("--dist", str(dist), "--target", "linux-x86_64")
    with pytest.raises(PkgError, match="no build manifest"):
        run_stage("--dist", str(tmp_path / "empty"), "--version", "2.0.1")
    assert not list(dist.glob("*.msi"))


# --- the Windows path: wix/app.wxs and the Python halves of scripts/msi.ps1 --------------------------

def test_wix5_source_shape_and_variables(tmp_path):
    text = (ROOT / names.WIX_DIR / names.WIX_APP).read_text(encoding="utf-8")
    root = ET.fromstring(text)
    ns = {"w": WIX4_NS}
    assert root.tag == f"{{{WIX4_NS}}}Wix"
    package = root.find("w:Package", ns)
    assert package.get("Scope") == "perMachine" and package.get("UpgradeCode") == "$(var.UpgradeCode)"
    assert root.find("w:Package/w:MajorUpgrade", ns).get("AllowSameVersionUpgrades") == "yes"
    assert root.find("w:Package/w:MajorUpgrade", ns).get("DowngradeErrorMessage")
    assert root.find("w:Package/w:MediaTemplate", ns).get("EmbedCab") == "yes"
    install = root.find("w:Package/w:StandardDirectory[@Id='ProgramFiles64Folder']/w:Directory", ns)
    assert install.get("Id") == wxs.INSTALLFOLDER
    assert root.find("w:Package/w:Feature/w:ComponentGroupRef", ns).get("Id") == wxs.FILES_GROUP
    assert root.find(".//w:Files", ns) is None  # WiX's own harvesting would derive other component GUIDs
    comp = root.find(f"w:Package/w:Feature/w:Component[@Id='{wxs.PATH_COMPONENT}']", ns)
    assert comp.get("Guid") == "$(var.PathComponentGuid)"
    env = comp.find("w:Environment", ns).attrib
    assert {k: env[k] for k in ("Name", "Action", "Part", "System", "Permanent")} == {
        "Name": "PATH", "Action": "set", "Part": "last", "System": "yes", "Permanent": "no"}
    assert env["Value"] == f"[{wxs.INSTALLFOLDER}]"
    arp = {p.get("Id") for p in root.findall("w:Package/w:Property", ns)}
    assert arp == set(wxs.arp_properties(APP))
    used = set(re.findall(r"\$\(var\.(\w+)\)", text))
    assert used == set(msi_runner.wix_vars(example_config(), APP, version.parse(V1)))


def test_print_wix_vars(tmp_path, capsys):
    dist = windows_dist(tmp_path, "2.0.1", zipped=False)
    run_stage("--dist", str(dist), "--version", "2.0.1", "--print-wix-vars")
    plan = json.loads(capsys.readouterr().out)
    v = plan["vars"]
    app_wxs, fragment = map(Path, plan["wxs"])
    assert app_wxs == ROOT / names.WIX_DIR / names.WIX_APP
    assert Path(plan["out"]).is_absolute() and fragment.parent == Path(plan["out"]).parent
    sources = [f.get("Source") for f in ET.parse(fragment).getroot().iter(f"{{{WIX4_NS}}}File")]
    assert len(sources) > 100 and all(Path(s).is_file() and Path(s).is_absolute() for s in sources)
    assert v["ProductCode"] == wxs.product_code(example_config(), version.parse("2.0.1"))
    cfg = example_config()
    assert (v["UpgradeCode"], v["Version"], v["Manufacturer"]) == (cfg.upgrade_code, "2.0.1", cfg.publisher)
    assert not list(dist.glob("*.msi"))  # printing the plan builds nothing


def component_guids(wxs_xml: bytes, namespace: str) -> dict[str, str]:
    return {c.get("Id"): c.get("Guid") for c in ET.fromstring(wxs_xml).iter(f"{{{namespace}}}Component")}


def test_one_component_guid_rule_on_both_msi_paths(tmp_path, two_msis):
    """The WiX 5 fragment (Windows runner) and the wixl source (here) give every file the same component
    id and GUID, and the MSI wixl built carries exactly those: an MSI from either path upgrades the other."""
    folder, msis, _ = two_msis
    dirs, files = wxs.harvest(folder)
    wix5 = component_guids(wxs.render_wix5_files(example_config(), folder, dirs, files), WIX4_NS)
    wixl = component_guids(wxs.render(example_config(), APP, version.parse(V1), dirs, files), wxs.WIX3_NS)
    # wix/app.wxs: $(var.PathComponentGuid)
    assert wixl.pop(wxs.PATH_COMPONENT) == wxs.path_component_guid(example_config())
    assert wix5 == wixl and len(wix5) == len(files)
    built = {r["Component"]: r["ComponentId"].strip("{}") for r in msi.read_table(msis[V1], "Component")}
    assert {k: v for k, v in built.items() if k != wxs.PATH_COMPONENT} == wix5
    # directories nest alike: each file's component sits in the directory of its path
    fragment = ET.fromstring(wxs.render_wix5_files(example_config(), folder, dirs, files))
    where = {d.get("Id"): d.get("Name") for d in fragment.iter(f"{{{WIX4_NS}}}Directory")}
    for comp in fragment.iter(f"{{{WIX4_NS}}}Component"):
        source = PurePosixPath(Path(comp.find(f"{{{WIX4_NS}}}File").get("Source")).relative_to(folder).as_posix())
        assert (comp.get("Directory") == wxs.INSTALLFOLDER) == (source.parent == PurePosixPath("."))
        if source.parent != PurePosixPath("."):
            assert where[comp.get("Directory")] == source.parent.name


def test_record_windows_msi(tmp_path, capsys):
    """What scripts/msi.ps1 does after `wix build`: hand the MSI and its ProductCode back to Python.
    The MSI here comes from wixl (no WiX on Linux); the recording is the same."""
    dist = windows_dist(tmp_path, "2.0.1", zipped=False)
    run_stage("--dist", str(dist), "--version", "2.0.1", "--print-wix-vars")
    staged = Path(json.loads(capsys.readouterr().out)["out"])
    msi.build_msi(example_config(), APP, dist / f"{APP.name}-{TARGET}", version.parse("2.0.1"), staged, signer=None)
    (staged.parent / "x.wixpdb").write_bytes(b"pdb")
    with pytest.raises(PkgError, match="were the -d variables passed"):
        run_stage("--dist", str(dist), "--version", "2.0.1", "--record", str(staged),
                  "--product-code", "{00000000-0000-0000-0000-000000000000}")
    with pytest.raises(InputError, match="needs --product-code"):
        run_stage("--dist", str(dist), "--version", "2.0.1", "--record", str(staged))
    assert staged.is_file()
    run_stage("--dist", str(dist), "--version", "2.0.1", "--record", str(staged),
              "--product-code", msi.product_code(staged).lower())
    final = dist / f"{APP.name}-{TARGET}.msi"
    [entry] = model.find_build(dist, TARGET)[1].select(Kind.MSI)
    assert entry.path == final.name and entry.msi.product_code == msi.product_code(final)
    assert entry.msi.signed is False and not staged.parent.exists()
