"""Stage `winget`: manifests for the release's MSI — version, installer and defaultLocale files,
ManifestVersion 1.12.0 — in the release's winget/ and in the community repo's layout
winget/manifests/<l>/<Publisher>/<Package>/<version>/. Written with PyYAML; check() holds the project's
own required-field rules (the official schemas are checked in tests).
"""

import re

import yaml

from pkg.core import atomic, names, targets
from pkg.core.config import Config
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App, Artifact, Kind
from pkg.core.stage import Stage
from pkg.project import license_mapping
from pkg.release.context import ReleaseContext, stable_only

MANIFEST_VERSION = "1.12.0"
LOCALE = "en-US"
SCHEMA = "https://aka.ms/winget-manifest.{kind}.{version}.schema.json"
REQUIRED = {
    "version": ("PackageIdentifier", "PackageVersion", "DefaultLocale", "ManifestType", "ManifestVersion"),
    "installer": ("PackageIdentifier", "PackageVersion", "Installers", "ManifestType", "ManifestVersion"),
    "defaultLocale": ("PackageIdentifier", "PackageVersion", "PackageLocale", "Publisher", "PackageName",
                      "License", "ShortDescription", "ManifestType", "ManifestVersion"),
}
ARCHITECTURES = {"x86_64": "x64", "arm64": "arm64"}
GUID = re.compile(r"\{[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}")
ID_PART = re.compile(r"[^.\s\\/:*?\"<>|\x01-\x1f]{1,32}")
BAD_VERSION = re.compile(r"[\\/:*?\"<>|\x01-\x1f]")


def _installer(cfg: Config, app: App, msi: Artifact) -> dict:
    """One MSI; AppsAndFeaturesEntries say what Windows shows once it is installed (tests/test_msi_wine.py
    compares them with what Wine's Windows Installer registered), so winget recognises the installed app."""
    arch = targets.parse(msi.target).arch
    if arch not in ARCHITECTURES:
        raise PkgError(f"{msi.name}: no winget architecture for {arch!r}")
    if msi.msi is None:
        raise PkgError(f"{msi.name}: the release manifest lacks its ProductCode and UpgradeCode")
    return {"Architecture": ARCHITECTURES[arch], "InstallerUrl": msi.url,
            "InstallerSha256": msi.sha256.upper(), "ProductCode": msi.msi.product_code,
            "AppsAndFeaturesEntries": [{"DisplayName": app.name, "Publisher": cfg.publisher,
                                        "DisplayVersion": msi.msi.product_version,
                                        "ProductCode": msi.msi.product_code, "UpgradeCode": msi.msi.upgrade_code}]}


def check_app(cfg: Config, app: App) -> None:
    cfg.require_https("winget")
    license_mapping.winget(app.license)
    if len(app.summary) < 3 or len(app.summary) > 256:
        raise InputError(f"summary {app.summary!r}: winget's ShortDescription takes 3 to 256 characters "
                         "(set tool.pkg.description)")


def build(cfg: Config, app: App, version: str, msis: list[Artifact]) -> dict[str, dict]:
    """The three manifests as dicts, keyed by ManifestType."""
    for msi in msis:
        code = msi.msi.upgrade_code if msi.msi else None
        if (code or "").strip("{}").upper() != cfg.upgrade_code:
            raise PkgError(f"{msi.name}: UpgradeCode {code} is not tool.pkg.upgrade-code "
                           f"{{{cfg.upgrade_code}}} (upgrades would install side by side)")
    common = {"PackageIdentifier": cfg.package_id, "PackageVersion": version}
    tail = {"ManifestVersion": MANIFEST_VERSION}
    return {
        "version": {**common, "DefaultLocale": LOCALE, "ManifestType": "version", **tail},
        "installer": {**common, "InstallerType": "wix", "Scope": "machine", "UpgradeBehavior": "install",
                      "Commands": app.command_names,
                      "Installers": [_installer(cfg, app, m) for m in msis], "ManifestType": "installer", **tail},
        "defaultLocale": {**common, "PackageLocale": LOCALE, "Publisher": cfg.publisher,
                          "PackageName": cfg.package_id.split(".")[-1], "PackageUrl": app.homepage,
                          "License": license_mapping.winget(app.license), "ShortDescription": app.summary,
                          "Moniker": app.name, "ManifestType": "defaultLocale", **tail},
    }


def _check_installer(doc: dict) -> list[str]:
    problems = []
    if not isinstance(doc.get("Installers"), list) or not doc["Installers"]:
        return ["installer: Installers must be a non-empty list"]
    for i, entry in enumerate(doc["Installers"]):
        where = f"installer: Installers[{i}]"
        for key in ("Architecture", "InstallerUrl", "InstallerSha256"):
            if not entry.get(key):
                problems.append(f"{where}.{key} is missing")
        if entry.get("Architecture") and entry["Architecture"] not in ("x86", "x64", "arm", "arm64", "neutral"):
            problems.append(f"{where}.Architecture {entry['Architecture']!r} is not a winget architecture")
        if not str(entry.get("InstallerUrl", "")).startswith("https://"):
            problems.append(f"{where}.InstallerUrl must be https")
        if not re.fullmatch(r"[0-9A-Fa-f]{64}", str(entry.get("InstallerSha256", ""))):
            problems.append(f"{where}.InstallerSha256 must be 64 hex digits")
        if entry.get("InstallerType", doc.get("InstallerType")) in ("wix", "msi"):
            code = entry.get("ProductCode", doc.get("ProductCode"))
            if not (isinstance(code, str) and GUID.fullmatch(code)):
                problems.append(f"{where}.ProductCode must be a {{GUID}} for an MSI")
            for app in entry.get("AppsAndFeaturesEntries", doc.get("AppsAndFeaturesEntries")) or [{}]:
                if not (isinstance(app.get("UpgradeCode"), str) and GUID.fullmatch(app["UpgradeCode"])):
                    problems.append(f"{where}.AppsAndFeaturesEntries needs an UpgradeCode {{GUID}}")
    return problems


def check(manifests: dict[str, dict]) -> list[str]:
    """The project's own rules (required fields, types, formats, agreement between files); [] when fine."""
    if set(manifests) != set(REQUIRED):
        return [f"want manifests {sorted(REQUIRED)}, got {sorted(manifests)}"]
    problems = []
    for kind, doc in manifests.items():
        problems += [f"{kind}: {key} is missing" for key in REQUIRED[kind] if doc.get(key) in (None, "", [])]
        if doc.get("ManifestType") != kind:
            problems.append(f"{kind}: ManifestType is {doc.get('ManifestType')!r}")
        if doc.get("ManifestVersion") != MANIFEST_VERSION:
            problems.append(f"{kind}: ManifestVersion must be the string {MANIFEST_VERSION!r}")
        for key in ("PackageIdentifier", "PackageVersion"):
            if doc.get(key) != manifests["version"].get(key):
                problems.append(f"{kind}: {key} {doc.get(key)!r} differs from the version manifest's")
    ident, ver = manifests["version"].get("PackageIdentifier"), manifests["version"].get("PackageVersion")
    parts = ident.split(".") if isinstance(ident, str) else []
    if not (2 <= len(parts) <= 8 and all(ID_PART.fullmatch(p) for p in parts)):
        problems.append(f"version: PackageIdentifier {ident!r} must be Publisher.Package (2-8 parts)")
    if not isinstance(ver, str) or BAD_VERSION.search(ver) or len(ver) > 128:
        problems.append(f"version: PackageVersion {ver!r} must be a string without \\/:*?\"<>|")
    if manifests["version"].get("DefaultLocale") != manifests["defaultLocale"].get("PackageLocale"):
        problems.append("defaultLocale: PackageLocale differs from the version manifest's DefaultLocale")
    for key, least in (("Publisher", 2), ("PackageName", 2), ("License", 3), ("ShortDescription", 3)):
        if len(str(manifests["defaultLocale"].get(key, ""))) < least:
            problems.append(f"defaultLocale: {key} must have at least {least} characters")
    return problems + _check_installer(manifests["installer"])


def dump(kind: str, doc: dict) -> str:
    header = f"# yaml-language-server: $schema={SCHEMA.format(kind=kind, version=MANIFEST_VERSION)}\n\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)


def skip(ctx: ReleaseContext) -> str | None:
    return stable_only(ctx) or (None if ctx.manifest.select(Kind.MSI) else "no MSI in this release")


def writes(ctx: ReleaseContext) -> list[str]:
    return [f"{names.WINGET}/{name}" for name in names.winget_files(ctx.cfg.package_id, LOCALE).values()]


def run(ctx: ReleaseContext) -> None:
    cfg = ctx.cfg
    manifests = build(cfg, ctx.app, str(ctx.version), ctx.manifest.select(Kind.MSI))
    problems = check(manifests)
    if problems:
        raise PkgError(f"winget manifests not written: {problems[0]}"
                       + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    files = names.winget_files(cfg.package_id, LOCALE)
    texts = {files[kind]: dump(kind, doc) for kind, doc in manifests.items()}
    folder, copy = ctx.folder / names.WINGET, ctx.repo / names.winget_in_repo(cfg.package_id, str(ctx.version))
    for final in (copy, folder):
        with atomic.staged_dir(final) as tmp:  # the three files appear together or not at all
            for name, text in texts.items():
                (tmp / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {final}/ ({', '.join(texts)})")
    ctx.add(folder, Kind.WINGET, copies=[copy])


STAGE = Stage("winget", "winget manifests for the MSI (and winget/manifests/ for a winget-pkgs pull request)",
              run, skip, writes, refuse=check_app)
