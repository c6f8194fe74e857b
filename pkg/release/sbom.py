"""Stage `sbom`: a CycloneDX 1.6 SBOM of what ships, built and validated with cyclonedx-python-lib: the app's
distribution as its subject, every bundled distribution with version, purl and license, the CPython
runtime, the system libraries Nuitka bundled, and the archives and installers with their hashes."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from packageurl import PackageURL
from packaging.utils import canonicalize_name

from pkg.core import atomic, names
from pkg.core.errors import PkgError
from pkg.core.model import App, Artifact, Build, Kind
from pkg.core.shipped import Shipped
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext


def _licenses(expression: str | None):
    return [LicenseFactory().make_from_string(expression)] if expression else []


def _file(item: Artifact, ref: str, name: str, inside: list[Artifact] = (),
          floors: dict[str, str] | None = None) -> Component:
    return Component(name=name, type=ComponentType.FILE, bom_ref=ref,
                     hashes=[HashType(alg=HashAlgorithm.SHA_256, content=item.sha256)],
                     properties=[Property(name="pkg:target", value=item.target or ""),
                                 Property(name="pkg:kind", value=str(item.kind)),
                                 *(Property(name=k, value=v) for k, v in sorted((floors or {}).items()))],
                     components=[_file(f, f"{ref}/{f.path}", f.path) for f in inside])


def floors_of(builds: dict[str, Build]) -> dict[str, dict[str, str]]:
    """target -> the oldest system its files run on: the glibc they need and the declared floor (Linux), the
    macOS deployment target."""
    return {target: {k: v for k, v in (("pkg:glibc", b.glibc), ("pkg:glibc-floor", b.glibc_floor),
                                         ("pkg:macos-min", b.macos_min)) if v}
            for target, b in builds.items()}


def build_bom(app: App, version: str, shipped: Shipped, files: list[Artifact], epoch: int,
              shared: list[Artifact] = (), floors: dict[str, dict[str, str]] | None = None) -> Bom:
    """The app's own distribution is the BOM's subject (metadata.component), never one of its components."""
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"{app.homepage}#{version}"))  # reproducible
    bom.metadata.timestamp = datetime.fromtimestamp(epoch, tz=UTC)
    purl = PackageURL(type="pypi", name=canonicalize_name(app.dist), version=version)
    subject = Component(
        name=app.dist, version=version, type=ComponentType.APPLICATION, bom_ref=str(purl), purl=purl,
        licenses=_licenses(app.license.spdx or app.license.name), description=app.summary,
        external_references=[ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(app.homepage))])
    bom.metadata.component = subject
    parts = []
    for name, entry in sorted(shipped.distributions.items()):
        purl = PackageURL(type="pypi", name=canonicalize_name(name), version=entry.version)
        parts.append(Component(name=name, version=entry.version, type=ComponentType.LIBRARY, bom_ref=str(purl),
                               purl=purl, licenses=_licenses(entry.license)))
    for py_version in sorted(shipped.python):
        purl = PackageURL(type="generic", name="cpython", version=py_version)
        parts.append(Component(name="cpython", version=py_version, type=ComponentType.FRAMEWORK, bom_ref=str(purl),
                               purl=purl, licenses=_licenses("PSF-2.0"), description="CPython runtime"))
    for lib, by_target in sorted(shipped.libraries.items()):
        bare = sorted(t for t, facts in by_target.items() if facts is None)
        if bare:  # known by name only (a build that recorded no package facts)
            parts.append(Component(name=lib, type=ComponentType.LIBRARY, bom_ref=f"lib:{lib}",
                                   description="system library bundled by Nuitka",
                                   properties=[Property(name="pkg:targets", value=",".join(bare))]))
        for target, facts in sorted((t, f) for t, f in by_target.items() if f is not None):
            purl = PackageURL.from_string(facts.purl) if facts.purl else None
            parts.append(Component(
                name=lib, version=facts.version, type=ComponentType.LIBRARY, bom_ref=f"lib:{target}:{lib}", purl=purl,
                licenses=_licenses(facts.license), description="system library bundled by Nuitka"
                + (f", from the build machine's package {facts.package}" if facts.package else ""),
                hashes=[HashType(alg=HashAlgorithm.SHA_256, content=facts.sha256)] if facts.sha256 else [],
                properties=[Property(name="pkg:target", value=target)]))
    for item in files:  # the archives and installers, with their hashes; an archive's completions and man pages
        inside = [f for f in shared if f.target == item.target] if item.kind == Kind.ARCHIVE else []
        parts.append(_file(item, f"file:{item.name}", item.name, inside, (floors or {}).get(item.target or "")))
    for part in parts:
        bom.components.add(part)
    bom.register_dependency(subject, [p for p in parts if p.type != ComponentType.FILE])
    return bom


def render(bom: Bom) -> str:
    from cyclonedx.validation.json import JsonStrictValidator  # ~1 s to import: only when a release is made

    text = JsonV1Dot6(bom).output_as_string(indent=2)
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if errors:
        raise PkgError(f"SBOM fails the CycloneDX 1.6 schema: {errors}")
    return text + "\n"


def write(path: Path, app: App, version: str, shipped: Shipped, files: list[Artifact], epoch: int,
          shared: list[Artifact] = (), floors: dict[str, dict[str, str]] | None = None) -> Path:
    atomic.write_text(path, render(build_bom(app, version, shipped, files, epoch, shared, floors)))
    return path


def run(ctx: ReleaseContext) -> None:
    files = ctx.manifest.downloads()
    path = write(ctx.folder / names.sbom(ctx.app.name, str(ctx.version)), ctx.app, str(ctx.version), ctx.shipped,
                 files, ctx.epoch, [a for t in ctx.inputs.builds for a in ctx.inputs.shared(t)],
                 floors_of(ctx.inputs.builds))
    ctx.add(path, Kind.SBOM)


STAGE = Stage("sbom", "the CycloneDX 1.6 SBOM of what ships (never the build tools)", run,
              writes=lambda ctx: [names.sbom(ctx.app.name, str(ctx.version))])
