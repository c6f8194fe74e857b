"""The Windows folder as a per-machine MSI with every command on PATH, built with wixl: stage `msi` of the
release (unless the Windows runner made one: pkg/channels/msi_runner.py, with WiX 5) and `make msi` here.

Linux (here, and the release job holding the Windows zip): harvest in Python (wxs.py), build with
msitools' `wixl -a x64`, then patch with `msibuild` what wixl 0.101 cannot write: the PATH Environment
row and its WriteEnvironmentStrings/RemoveEnvironmentStrings actions, WiX's Upgrade rows for
AllowSameVersionUpgrades, Win64 component attributes, and the database codepage (1252).
Windows (the CI runner): scripts/msi.ps1 builds wix/app.wxs with WiX 5.0.2 from the values
`--print-wix-vars` prints (with a generated fragment of the folder's files), then hands the MSI back
with `--record`. Both paths install the same files, PATH entry and ARP metadata with the same component
ids and GUIDs (wxs.py), so an MSI from one path upgrades one from the other. The programs inside were
signed by the build before archiving (pkg/compile/sign.py); here only the MSI itself is signed.
ProductVersion is VERSION's X.Y.Z (pre-release dropped, see pkg/core/version.py); the ProductCode rule is
in wxs.py. The artifact's msi facts product_code/upgrade_code are braced, as MSI stores them.
"""

import shutil
import tempfile
from pathlib import Path

from pkg.channels import wxs
from pkg.compile import sign
from pkg.core import archive, atomic, model, names, proc
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Kind, MsiFacts
from pkg.core.stage import Stage
from pkg.core.version import Version
from pkg.release.context import ReleaseContext

CODEPAGE = 1252  # what wixl 0.101 actually writes names in; wxs.harvest refuses the rest
# Upgrade.Attributes as WiX writes them for MajorUpgrade AllowSameVersionUpgrades="yes":
UPGRADE = 1 | 256 | 512  # MigrateFeatures | VersionMinInclusive | VersionMaxInclusive (same version upgrades)
DOWNGRADE = 2  # OnlyDetect: a newer installed version sets WIX_DOWNGRADE_DETECTED; a LaunchCondition refuses
WIN64 = 256


def _run(cmd: list[str], cwd: Path | None = None) -> str:
    return proc.tool(cmd, cmd[0], cwd=cwd, noise="GLib-GObject-WARNING", hint="apt-get install wixl msitools").stdout


def read_table(msi: Path, table: str) -> list[dict[str, str]]:
    """Rows of one table, read with `msiinfo export` (header: columns, types, table + keys)."""
    lines = [ln.rstrip("\r") for ln in _run(["msiinfo", "export", str(msi), table]).split("\n")]
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=True)) for line in lines[3:] if line]


def product_code(msi: Path) -> str:
    if not msi.is_file():
        raise PkgError(f"{msi}: no such MSI")
    props = {row["Property"]: row["Value"] for row in read_table(msi, "Property")}
    if "ProductCode" not in props:
        raise PkgError(f"{msi.name}: no ProductCode property")
    return props["ProductCode"]


# IDT column specs (name, MSI type) of the tables msibuild imports whole; the primary key columns come first.
ENVIRONMENT = [("Environment", "s72"), ("Name", "l255"), ("Value", "L255"), ("Component_", "s72")]
UPGRADE_COLUMNS = [("UpgradeCode", "s38"), ("VersionMin", "S20"), ("VersionMax", "S20"), ("Language", "S255"),
                   ("Attributes", "i4"), ("Remove", "S255"), ("ActionProperty", "s72")]
SEQUENCE_ROW = "INSERT INTO `InstallExecuteSequence` (`Action`, `Sequence`) VALUES ('{0}', {1})"


def _idt(path: Path, table: str, columns: list[tuple[str, str]], keys: int, rows: list[list]) -> Path:
    head = [[c for c, _ in columns], [t for _, t in columns], [table] + [c for c, _ in columns[:keys]]]
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if any(ch in cell for row in cells for cell in row for ch in "\t\r\n"):
        raise PkgError(f"{table}: a value holds a tab or newline")
    path.write_bytes("".join("\t".join(line) + "\r\n" for line in head + cells).encode("cp1252"))
    return path


def _patch(cfg: Config, version: Version, msi: Path, work: Path) -> None:
    code = "{" + cfg.upgrade_code + "}"
    # WiX's spelling of Environment Action=set Permanent=no System=yes: = set, - remove on uninstall,
    # * system variable; Part=last is the value [~];[folder] ([~] is the existing PATH).
    env = _idt(work / "Environment.idt", "Environment", ENVIRONMENT, 1,
               [["PATH", "=-*PATH", f"[~];[{wxs.INSTALLFOLDER}]", wxs.PATH_COMPONENT]])
    upgrade = _idt(work / "Upgrade.idt", "Upgrade", UPGRADE_COLUMNS, 5,
                   [[code, None, version.msi, None, UPGRADE, None, "WIX_UPGRADE_DETECTED"],
                    [code, version.msi, None, None, DOWNGRADE, None, "WIX_DOWNGRADE_DETECTED"]])
    codepage = work / "_ForceCodepage.idt"
    codepage.write_bytes(f"\r\n\r\n{CODEPAGE}\t_ForceCodepage\r\n".encode())
    _run(["msibuild", str(msi), "-i", str(codepage), "-i", str(env), "-i", str(upgrade),
          "-q", SEQUENCE_ROW.format("WriteEnvironmentStrings", 5200),
          "-q", SEQUENCE_ROW.format("RemoveEnvironmentStrings", 3300),
          "-q", f"UPDATE `Component` SET `Attributes` = {WIN64}"])


def build_msi(cfg: Config, app: App, folder: Path, version: Version, out: Path,
              signer: sign.Signer | None = None) -> MsiFacts:
    """Build `out` from `folder` as it is (its programs were signed by the build, before archiving), then
    sign the MSI when SIGN_CERT is set (or `signer` is given)."""
    if not folder.is_dir():
        raise PkgError(f"{folder}: no such folder to package (run `make build` on Windows, or fetch its zip)")
    signer = signer or sign.from_env(app)
    with tempfile.TemporaryDirectory(prefix="msi-") as tmp:
        work = Path(tmp)
        dirs, files = wxs.harvest(folder)
        (work / names.MSI_SOURCE).write_bytes(wxs.render(cfg, app, version, dirs, files))
        msi = work / names.MSI_OUT
        _run(["wixl", "-a", "x64", "-o", str(msi), str(work / names.MSI_SOURCE)], cwd=folder)
        _patch(cfg, version, msi, work)
        code = product_code(msi)
        if code != "{" + wxs.product_code(cfg, version) + "}":
            raise PkgError(f"{out.name}: ProductCode {code} is not the one derived for {version}")
        if signer:
            sign.sign_file(signer, msi)
        with atomic.staged_file(out) as staged:
            shutil.copyfile(msi, staged)
    return MsiFacts(product_code=code, upgrade_code="{" + cfg.upgrade_code + "}", product_version=version.msi,
                    signed=signer is not None)


def windows_folder(builds: model.Manifest, dist: Path, work: Path) -> Path:
    """The Windows build's folder where its manifest says (in dist/ or a runner's sub-folder), or its zip
    unpacked into `work` (the release job may get zips only)."""
    folder = dist / builds.builds[names.WINDOWS_TARGET].folder
    if folder.is_dir():
        return folder
    zipped = [dist / a.path for a in builds.select(Kind.ARCHIVE) if a.target == names.WINDOWS_TARGET]
    if not zipped or not zipped[0].is_file():
        raise PkgError(f"neither {folder} nor its zip exists (build {names.WINDOWS_TARGET} first, or fetch its zip)")
    return archive.extract(zipped[0], work)


# --- stage `msi` of the release: built here with wixl unless the Windows runner made one -------------

def skip(ctx: ReleaseContext) -> str | None:
    if names.WINDOWS_TARGET not in ctx.inputs.builds:
        return f"no {names.WINDOWS_TARGET} build"
    if ctx.inputs.select(Kind.MSI):
        return "the Windows runner built it (carried over by stage archives)"
    return None


def writes(ctx: ReleaseContext) -> list[str]:
    return [names.msi(ctx.app.name)]


def run(ctx: ReleaseContext) -> None:
    out = ctx.folder / names.msi(ctx.app.name)
    with tempfile.TemporaryDirectory(prefix="msi-source-") as tmp:
        facts = build_msi(ctx.cfg, ctx.app, windows_folder(ctx.inputs, ctx.dist, Path(tmp)), ctx.version, out)
    ctx.add(out, Kind.MSI, names.WINDOWS_TARGET, msi=facts)


STAGE = Stage("msi", "the Windows MSI (built here with wixl when the Windows runner made none)", run, skip, writes,
              refuse=wxs.check_app, makes=Kind.MSI)
