"""The MSI on a runner: stage `msi` of BUILD (the Windows runner: WiX 5.0.2 through scripts/msi.ps1, after the
build manifest is written) and `python -m pkg msi` (make msi: the steps msi.ps1 calls back — the WiX plan as
JSON, then the built MSI recorded — and, anywhere else, wixl from the Windows build in dist/).
PowerShell, dotnet and WiX cannot run here: tests/test_msi_runner.py stands a fake `powershell` in for them.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pkg.channels import wxs
from pkg.channels.msi import build_msi, windows_folder
from pkg.compile import sign
from pkg.compile.context import BuildContext
from pkg.core import atomic, config, model, names, proc, targets
from pkg.core.config import Config
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App, Kind, MsiFacts
from pkg.core.stage import Stage
from pkg.core.version import Version, parse

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "msi.ps1"  # the pipeline's own, beside pkg/


def wix_vars(cfg: Config, app: App, version: Version) -> dict[str, str]:
    """The -d preprocessor variables wix/app.wxs uses; its constants stay in pyproject.toml."""
    arp = wxs.arp_properties(app)
    return {"AppName": app.name, "Manufacturer": cfg.publisher, "Version": version.msi,
            "UpgradeCode": cfg.upgrade_code, "ProductCode": wxs.product_code(cfg, version),
            "PathComponentGuid": wxs.path_component_guid(cfg),
            "Homepage": arp["ARPURLINFOABOUT"], "Description": arp["ARPCOMMENTS"],
            "DowngradeMessage": wxs.DOWNGRADE_MESSAGE}


def wix_plan(cfg: Config, manifest: model.Manifest, dist: Path, target: targets.Target, version: Version) -> dict:
    """What scripts/msi.ps1 hands WiX 5: wix/app.wxs plus the generated fragment of the folder's files (the
    component rule of wxs.py), the staging output and the -d variables; every path absolute."""
    folder = (dist / manifest.builds[target.name].folder).resolve()
    out = (dist / names.msi_staging(names.msi(manifest.app.name))).resolve()
    dirs, files = wxs.harvest(folder)
    fragment = out / names.WIX_FILES
    atomic.write_bytes(fragment, wxs.render_wix5_files(cfg, folder, dirs, files))
    return {"wxs": [str(cfg.root / names.WIX_DIR / names.WIX_APP), str(fragment)],
            "out": str(out / names.msi(manifest.app.name)),
            "vars": wix_vars(cfg, manifest.app, version)}



def record(dist: Path, msi: Path, facts: MsiFacts) -> None:
    path, manifest = model.find_build(dist, names.WINDOWS_TARGET)
    manifest.add(model.describe(msi, dist, Kind.MSI, names.WINDOWS_TARGET, msi=facts))
    model.write(path, manifest)


def checked_build(target: targets.Target, dist: Path, version: Version | None) -> model.Manifest:
    """Fail before building: the MSI needs the target's build manifest, and it must be this version's."""
    _, manifest = model.find_build(dist, target.name)
    if version is not None and manifest.version != str(version):
        raise PkgError(f"{target.name} build is version {manifest.version}, not {version}")
    return manifest


def record_windows(cfg: Config, app: App, dist: Path, version: Version, staged: Path, code: str) -> Path:
    """Take an MSI built by scripts/msi.ps1 into dist/ and its manifest (the ProductCode read on Windows),
    signing it first when SIGN_CERT is set: WiX never sees the certificate, PowerShell never the password."""
    if not staged.is_file():
        raise PkgError(f"{staged}: no such MSI to record")
    want = "{" + wxs.product_code(cfg, version) + "}"
    if code.strip().upper() != want:
        raise PkgError(f"{staged.name}: ProductCode {code.strip()} is not {want} "
                       "(were the -d variables passed?)")
    signer = sign.from_env(app)
    if signer:
        sign.sign_file(signer, staged)
    final = dist / names.msi(app.name)
    os.replace(staged, final)
    if staged.parent.name == names.msi_staging(final.name):  # wix leaves a .wixpdb beside it
        shutil.rmtree(staged.parent, ignore_errors=True)
    record(dist, final, MsiFacts(product_code=want, upgrade_code="{" + cfg.upgrade_code + "}",
                                 product_version=version.msi, signed=signer is not None))
    return final


def cmd_msi(args) -> None:
    cfg = config.load(args.root)
    target = targets.parse(args.target)
    if target.os != "windows":
        raise InputError(f"an MSI is built from a Windows target, not {target.name}")
    dist = Path(args.dist)
    manifest = checked_build(target, dist, parse(args.version) if args.version else None)
    version, app = parse(manifest.version), manifest.app
    out = dist / names.msi(app.name)
    if args.print_wix_vars:
        print(json.dumps(wix_plan(cfg, manifest, dist, target, version), indent=2))
        return
    if args.record:
        if not args.product_code:
            raise InputError("--record needs --product-code (read from the MSI on Windows)")
        record_windows(cfg, app, dist, version, Path(args.record), args.product_code)
        return
    with tempfile.TemporaryDirectory(prefix="msi-zip-") as tmp:
        record(dist, out, build_msi(cfg, app, windows_folder(manifest, dist, Path(tmp)), version, out))


def add_parser(stages) -> None:
    sub = stages.add_parser("msi", help="build dist/<name>-windows-x86_64.msi and record it",
                            description=__doc__.split("\n\n")[0])
    sub.set_defaults(func=cmd_msi)
    sub.add_argument("--target", default=names.WINDOWS_TARGET, help="the Windows target")
    sub.add_argument("--version", help="the VERSION the Windows build must have (default: its manifest's)")
    sub.add_argument("--dist", help="artifact folder (default: dist/ below the root)")
    mode = sub.add_mutually_exclusive_group()
    mode.add_argument("--print-wix-vars", action="store_true",
                      help="print the WiX 5 build plan for scripts/msi.ps1 as JSON")
    mode.add_argument("--record", metavar="MSI", help="record an MSI built on Windows (with --product-code)")
    sub.add_argument("--product-code", help="ProductCode read from the --record MSI")


# --- stage `msi` of BUILD: the Windows runner's MSI -------------------------------------------------

def on_windows_only(ctx: BuildContext) -> str | None:
    return None if ctx.target.os == "windows" else \
        "not a Windows build (the Windows runner makes the MSI with WiX 5; `make msi` makes one with wixl)"


def build_stage(ctx: BuildContext) -> None:
    """WiX 5 through scripts/msi.ps1, which calls this module back for the plan and the record: the MSI lands
    in dist/ and in the build manifest, read again here."""
    proc.run_logged(["powershell", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", SCRIPT,
                     "-Target", ctx.target.name, "-Version", ctx.manifest.version, "-Dist", ctx.dist.resolve(),
                     "-Root", ctx.cfg.root.resolve()], ctx.work / names.LOGS / names.log("msi"),
                    "building the MSI with WiX 5", env={**os.environ, "PY": sys.executable}, cwd=SCRIPT.parent.parent)
    ctx.manifest = model.find_build(ctx.dist, ctx.target.name)[1]
    if not ctx.manifest.select(Kind.MSI):
        raise PkgError(f"scripts/msi.ps1 finished but the {ctx.target.name} build manifest records no MSI")


STAGE = Stage("msi", f"the Windows runner's MSI: WiX 5 (scripts/msi.ps1) → {names.DIST}/, recorded in the build "
              "manifest", build_stage, skip=on_windows_only,
              writes=lambda ctx: [names.msi(ctx.app.name)])  # what an MSI cannot express: the release's msi stage
