"""`python -m pkg <command>`: the one entry point the Makefile and the per-platform scripts call.
The stages themselves, and their order, are pkg/pipeline.py's."""

import argparse
import sys
from pathlib import Path

from pkg.core import config, model, names, targets
from pkg.core.errors import PkgError

# The packaging repository acted on unless `--root DIR` names another: the checkout pkg/ sits in. Resolved once,
# in main(); Config.root carries it on.
CHECKOUT = Path(__file__).resolve().parent.parent


def _target(args) -> targets.Target:
    return targets.parse(args.target) if args.target else targets.host()


def cmd_print_target(args) -> None:
    print(_target(args).name)


def cmd_check(args) -> None:
    from pkg import pipeline

    pipeline.check_project(config.load(args.root))


def cmd_plan(args) -> None:
    from pkg import plan

    plan.run(config.load(args.root), args.version, here=args.here)


def cmd_init(args) -> None:
    from pkg import init

    init.init(args.root, Path(args.project))


def cmd_set_version(args) -> None:
    from pkg.release import prepare

    release_root = Path(args.release_dir) if args.for_release else None
    prepare.set_version(config.load(args.root), args.version, release_root, args.force, args.tag)


def cmd_build(args) -> None:
    from pkg import pipeline
    from pkg.core import version

    cfg = config.load(args.root)
    wanted = str(version.parse(args.version, cfg.tag_prefix)) if args.version else None
    backend, fallback = (model.Backend.parse(b) if b else None for b in (args.backend, args.fallback))
    pipeline.build(cfg, _target(args), Path(args.dist), Path(args.work), backend, fallback, wanted)


def cmd_build_test(args) -> None:
    from pkg import pipeline

    pipeline.build_test(config.load(args.root), _target(args), Path(args.dist))


def cmd_release(args) -> None:
    from pkg import pipeline

    pipeline.release(config.load(args.root), args.version, Path(args.dist), Path(args.release_dir),
                     require_all=args.require_targets == "all", force=args.force, tag=args.tag,
                     above_floor_ok=args.above_floor,
                     startup_baseline=Path(args.startup_baseline) if args.startup_baseline else None)


def cmd_release_info(args) -> None:
    """$GITHUB_OUTPUT lines for CI; an invalid VERSION exits 2 before anything is published."""
    from pkg.core import version
    from pkg.release import prepare

    print(prepare.github_output(prepare.ci_facts(version.parse(args.version, config.load(args.root).tag_prefix))))


def cmd_sign_release(args) -> None:
    from pkg.core import version
    from pkg.release import provenance

    v = version.parse(args.version, config.load(args.root).tag_prefix)
    provenance.sign(Path(args.release_dir) / names.release_folder(v.tag))


def cmd_audit(args) -> None:
    from pkg.core import model
    from pkg.core.shipped import gather, versions
    from pkg.release import audit, merge

    dist = Path(args.dist)
    wanted = args.version or model.find_build(dist, _target(args).name)[1].version
    inputs = merge.collect(dist, wanted, require_all=False)
    audit.enforce(audit.scan(versions(gather(inputs, dist))), args.required)


def cmd_schema(args) -> None:
    from pkg.core import atomic, model, settings
    from pkg.dev import config_reference

    if args.write:
        for path, text in ((model.SCHEMA_FILE, model.schema_text()), (settings.SCHEMA_FILE, settings.schema_text())):
            atomic.write_text(path, text)
            print(f"wrote {path}")
        if config_reference.write(args.root / "README.md"):
            print(f"wrote the [tool.pkg] key reference in {args.root / 'README.md'}")
    else:
        print((settings.schema_text() if args.config else model.schema_text()), end="")


def cmd_archive(args) -> None:
    from pkg.core import archive

    archive.create(Path(args.folder), Path(args.output), archive.source_date_epoch(args.root))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m pkg", description=__doc__)
    top.add_argument("--root", help="the packaging repository to act on (default: the checkout pkg/ is in)")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help_text: str, dist: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        sub.add_argument("--target", help="<os>-<arch> (default: this machine)")
        if dist:
            sub.add_argument("--dist", help="artifact folder (default: dist/ below the root)")
        return sub

    def needs_version(sub: argparse.ArgumentParser, required: bool = True) -> None:
        sub.add_argument("--version", required=required, help="X.Y.Z or X.Y, optionally {a|b|rc}N")

    command("check", cmd_check, "validate [tool.pkg] and the app's project before building", dist=False)
    plan_cmd = command("plan", cmd_plan, "print what a release will produce, before anything is built", dist=False)
    needs_version(plan_cmd)
    plan_cmd.add_argument("--here", action="store_true", help="plan this machine's release, not CI's")
    init_cmd = command("init", cmd_init, "append [tool.pkg] for an existing project to pyproject.toml, with what "
                       "running it pip-installed showed", dist=False)
    init_cmd.add_argument("--project", default=".", help="the app's project folder (default: this folder)")
    setv = command("set-version", cmd_set_version,
                   "validate VERSION and bring the project to it (static: stamped; scm: at build; else: must agree)",
                   dist=False)
    needs_version(setv)
    setv.add_argument("--for-release", action="store_true", help="also refuse an existing release or tag")
    setv.add_argument("--release-dir", help="default: release/ below the root")
    setv.add_argument("--force", action="store_true", help="replace an existing release")
    setv.add_argument("--tag", action="store_true", help="refuse what TAG=1 would refuse")
    build = command("build", cmd_build, "the BUILD stages: wheel, build venv, Nuitka, archive, build manifest")
    build.add_argument("--work", help="the compilers' working folder (default: build/ below the root)")
    build.add_argument("--backend", default="nuitka", help="nuitka (default), pyinstaller, pyinstaller-onefile")
    build.add_argument("--fallback", default="", help="backend to use only if the first one fails")
    needs_version(build, required=False)
    command("build-test", cmd_build_test, "unpack the archive elsewhere and prove every command works")
    release = command("release", cmd_release, "the RELEASE stages: release/v<VERSION>/ from the builds in dist/")
    needs_version(release)
    release.add_argument("--release-dir", help="default: release/ below the root")
    release.add_argument("--force", action="store_true", help="replace an existing release")
    release.add_argument("--startup-baseline", metavar="MANIFEST",
                         help="the manifest.json to compare start-up instructions with (default: the previous "
                              "release in --release-dir)")
    release.add_argument("--tag", action="store_true", help="create an annotated v<VERSION> tag")
    release.add_argument("--require-targets", default="", help="'all': fail unless all five targets are built")
    release.add_argument("--above-floor", action="store_true",
                         help="with --require-targets all: accept a Linux build above its glibc floor (tool.pkg.glibc)")
    info = command("release-info", cmd_release_info, "print the release facts CI steps use (version, tag, folders)",
                   dist=False)
    needs_version(info)
    signing = command("sign-release", cmd_sign_release, "keyless Sigstore signature of the release's SHA256SUMS (CI)",
                      dist=False)
    needs_version(signing)
    signing.add_argument("--release-dir", help="default: release/ below the root")
    audit_cmd = command("audit", cmd_audit, "pip-audit the distributions the builds ship")
    audit_cmd.add_argument("--required", action="store_true", help="fail when the scan cannot run")
    needs_version(audit_cmd, required=False)
    schema = command("schema", cmd_schema, "print the manifests' JSON schema (pkg/core/model.py)", dist=False)
    schema.add_argument("--config", action="store_true",
                        help="print [tool.pkg]'s schema instead (pkg/core/settings.py), what editors check it with")
    schema.add_argument("--write", action="store_true",
                        help="write both to pkg/core/ (manifest.schema.json, config.schema.json) and the README's "
                             "[tool.pkg] key reference")
    arch = command("archive", cmd_archive, "archive a folder deterministically (.tar.gz or .zip)", dist=False)
    arch.add_argument("folder")
    arch.add_argument("output")
    command("print-target", cmd_print_target, "print this machine's <os>-<arch>", dist=False)

    from pkg.channels import msi_runner
    from pkg.dev import bench, pslint

    for module in (msi_runner, bench, pslint):
        module.add_parser(commands)
    return top


def resolved(args: argparse.Namespace) -> argparse.Namespace:
    """The root, resolved once (default: this checkout), and the folder options defaulting below it."""
    args.root = Path(args.root).resolve() if args.root else CHECKOUT
    for option, default in (("dist", names.DIST), ("work", names.WORK), ("release_dir", names.RELEASES)):
        if hasattr(args, option):
            setattr(args, option, str(config.folder_option(args.root, getattr(args, option), default)))
    return args


def main(argv: list[str] | None = None) -> int:
    args = resolved(parser().parse_args(argv))
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
