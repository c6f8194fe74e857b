"""`python -m pkg <stage>`: the one entry point the Makefile and the per-platform scripts call."""

import argparse
import sys
from pathlib import Path

from pkg import config, targets
from pkg.errors import PkgError


def _target(args) -> targets.Target:
    return targets.parse(args.target) if args.target else targets.host()


def cmd_print_target(args) -> None:
    print(_target(args).name)


def cmd_build(args) -> None:
    from pkg import build, version

    wanted = str(version.parse(args.version)) if args.version else None
    build.build(config.load(), _target(args), Path(args.dist), Path(args.work), args.backend, args.fallback or None,
                wanted)


def cmd_check(args) -> None:
    from pkg import check

    check.run(config.load())


def cmd_smoke(args) -> None:
    from pkg import smoke

    smoke.smoke(config.load(), _target(args), Path(args.dist))


def cmd_archive(args) -> None:
    from pkg import archive

    folder = Path(args.folder)
    archive.create(folder, Path(args.output), archive.source_date_epoch(config.ROOT))


def cmd_stamp(args) -> None:
    from pkg import release

    release_dir = Path(args.release_dir) if args.for_release else None
    release.prepare(config.load(), args.version, release_dir, args.force, args.tag)


def cmd_release(args) -> None:
    from pkg import release

    release.release(config.load(), args.version, Path(args.dist), Path(args.release_dir),
                    require_all=args.require_targets == "all", force=args.force, tag=args.tag)


def cmd_release_info(args) -> None:
    """key=value lines for CI step outputs; an invalid VERSION exits 2 before anything is published."""
    from pkg import version

    v = version.parse(args.version)
    print(f"version={v}\ntag={v.tag}\nprerelease={str(v.prerelease).lower()}")


def cmd_audit(args) -> None:
    from pkg import audit, manifest, merge, shipped

    version = args.version or manifest.find(Path(args.dist), _target(args).name)["version"]
    records = merge.collect(Path(args.dist), version, require_all=False)
    what = shipped.from_records(records, merge.app_of(records).dist)
    audit.enforce(audit.scan({name: e["version"] for name, e in what.distributions.items()}), args.required)


def cmd_init(args) -> None:
    from pkg import init

    init.init(config.ROOT, Path(args.project))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m pkg", description=__doc__)
    stages = top.add_subparsers(dest="stage", required=True, metavar="STAGE")

    def stage(name: str, func, help_text: str, dist: bool = True) -> argparse.ArgumentParser:
        sub = stages.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        sub.add_argument("--target", help="<os>-<arch> (default: this machine)")
        if dist:
            sub.add_argument("--dist", default=str(config.ROOT / "dist"), help="artifact folder (default: dist/)")
        return sub

    stage("print-target", cmd_print_target, "print this machine's <os>-<arch>", dist=False)
    build = stage("build", cmd_build, "compile with Nuitka, rename *.dist, archive, record")
    build.add_argument("--work", default=str(config.ROOT / "build"), help="the compilers' working folder")
    build.add_argument("--backend", default="nuitka", help="nuitka (default), pyinstaller, pyinstaller-onefile")
    build.add_argument("--fallback", default="", help="backend to use only if the first one fails")
    build.add_argument("--version", help="VERSION the wheel must have (handed to setuptools-scm/hatch-vcs)")
    stage("check", cmd_check, "validate [tool.pkg] and the app's project before building", dist=False)
    stage("smoke", cmd_smoke, "unpack the archive elsewhere and prove the binary works")
    arch = stage("archive", cmd_archive, "archive a folder deterministically (.tar.gz or .zip)", dist=False)
    arch.add_argument("folder")
    arch.add_argument("output")
    for name, func, help_text in (
            ("stamp", cmd_stamp, "validate VERSION, refuse an existing release, set pyproject's version"),
            ("release", cmd_release, "assemble release/v<VERSION>/ from the builds in dist/")):
        sub = stage(name, func, help_text, dist=name == "release")
        sub.add_argument("--version", required=True, help="X.Y.Z or X.Y.Z{a|b|rc}N")
        sub.add_argument("--release-dir", default=str(config.ROOT / "release"))
        sub.add_argument("--force", action="store_true", help="replace an existing release")
        sub.add_argument("--tag", action="store_true", help="create an annotated v<VERSION> tag")
        if name == "stamp":
            sub.add_argument("--for-release", action="store_true", help="also refuse an existing release or tag")
        if name == "release":
            sub.add_argument("--require-targets", default="", help="'all': fail unless all five targets are built")
    audit = stage("audit", cmd_audit, "pip-audit the distributions the builds ship")
    audit.add_argument("--required", action="store_true", help="fail when the scan cannot run")
    audit.add_argument("--version", help="the release VERSION (default: this machine's build)")
    init = stage("init", cmd_init, "write a starter [tool.pkg] for an existing project into pyproject.toml",
                 dist=False)
    init.add_argument("--project", default=".", help="the app's project folder (default: this folder)")

    info = stage("release-info", cmd_release_info, "print version=, tag=, prerelease= for CI", dist=False)
    info.add_argument("--version", required=True)

    from pkg import bench, homebrew, installers, msi, pslint, scoop, winget

    for module in (msi, homebrew, winget, scoop, installers, pslint, bench):
        module.add_parser(stages)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except PkgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
