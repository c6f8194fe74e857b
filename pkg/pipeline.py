"""The pipeline, as two ordered lists of stages (pkg/core/stage.py: one function of a shared context each,
defined in the module that does the work). Adding a channel is one module with a STAGE and one line in
RELEASE. `python -m pkg plan` walks the same lists without running them.

  BUILD    each runner, `make build`: dist/<name>-<target>/ with its archive and build manifest
  BUILD_TEST  then `make build-test`: the archive proven from elsewhere
  RELEASE  one job, `make release`: the builds merged into release/v<version>/, staged in a hidden folder
           and renamed into place at the end (a killed release leaves no partial folder)
"""

import shutil
import time
from pathlib import Path

from pkg import check
from pkg.channels import homebrew, install_scripts, linux_packages, msi, msi_runner, package_proof, scoop, winget
from pkg.compile import (
    appenv,
    build_test,
    commands,
    compilation,
    completeness,
    macos_sign,
    place,
    preflight,
    probe,
    record,
    reuse,
    share,
    ship,
    sign,
)
from pkg.compile.context import BuildContext
from pkg.core import archive, atomic, names, targets, version
from pkg.core.config import Config
from pkg.core.model import App, Backend, Manifest
from pkg.core.stage import C, Stage, walk
from pkg.release import archives, audit, checksums, licenses, manifest, merge, notes, prepare, sbom, startup_gate
from pkg.release.context import ReleaseContext

CHECK = check.stage(lambda: BUILD + RELEASE)  # every stage's refusals, before the compile

BUILD: list[Stage[BuildContext]] = [
    preflight.STAGE, appenv.STAGE, CHECK, probe.STAGE, reuse.STAGE, compilation.STAGE, completeness.STAGE,
    commands.STAGE, share.STAGE, sign.STAGE, macos_sign.SIGN, place.STAGE, ship.STAGE, record.ARCHIVE,
    macos_sign.NOTARIZE, record.RECORD, msi_runner.STAGE]

BUILD_TEST: list[Stage[BuildContext]] = [build_test.STAGE]  # `make build-test`: after BUILD, on the same runner

RELEASE: list[Stage[ReleaseContext]] = [
    archives.VERIFY, startup_gate.STAGE, archives.ARCHIVES, msi.STAGE, linux_packages.STAGE, package_proof.STAGE,
    checksums.EACH, sbom.STAGE, licenses.STAGE, audit.STAGE, notes.STAGE, homebrew.STAGE, winget.STAGE,
    scoop.STAGE, install_scripts.STAGE, manifest.STAGE, checksums.SUMS, package_proof.INSTALL]


def check_project(cfg: Config) -> App:
    """`make check`: the configuration and the project, asked of every stage of BUILD and RELEASE."""
    return check.run(cfg, BUILD + RELEASE)


def run_stages(stages: list[Stage[C]], ctx: C) -> None:
    walk(stages, ctx, lambda stage, c: stage.run(c), lambda stage, reason: print(f"[{stage.name}] skipped: {reason}"))


def build(cfg: Config, target: targets.Target, dist: Path, work: Path, backend: Backend = Backend.NUITKA,
          fallback: Backend | None = None, wanted: str | None = None) -> Manifest:
    ctx = BuildContext(cfg, target, dist, work / target.name, backend, fallback, wanted)
    run_stages(BUILD, ctx)
    return ctx.manifest


def build_test(cfg: Config, target: targets.Target, dist: Path) -> None:
    run_stages(BUILD_TEST, BuildContext(cfg, target, dist, cfg.root / names.WORK / target.name))


def release(cfg: Config, version_text: str, dist: Path, release_root: Path, require_all: bool = False,
            force: bool = False, tag: bool = False, repo_out: Path | None = None, above_floor_ok: bool = False,
            startup_baseline: Path | None = None) -> Path:
    """Assemble release/v<version>/; repo_out: where homebrew/, winget/, scoop/ go (default: the repository);
    above_floor_ok: merge a Linux build above its glibc floor even with require_all (the notes say so);
    startup_baseline: the manifest.json whose start-up counts this release is compared with (default: the
    previous release in release_root)."""
    started = time.perf_counter()
    v = version.parse(version_text, cfg.tag_prefix)
    final = prepare.refuse_existing(release_root, v, force)
    if tag:
        prepare.check_can_tag(cfg.root, v.tag, prepare.current_version(cfg), str(v))
    inputs = merge.collect(dist, str(v), require_all, above_floor_ok)
    for stale in release_root.glob(names.staging_prefix(names.release_folder(v.tag)) + "*"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    with atomic.staged_dir(final, replace=force) as stage:
        ctx = ReleaseContext(cfg, v, dist, stage, repo_out or cfg.root, inputs,
                             Manifest(moment="release", app=inputs.app),
                             archive.source_date_epoch(cfg.root), startup_baseline=startup_baseline)
        ctx.warnings += merge.above_floor_warnings(inputs)
        run_stages(RELEASE, ctx)
    if tag:
        prepare.make_tag(cfg.root, v.tag, f"{inputs.app.name} {v}")
    missing = merge.missing_targets(inputs)
    print(f"release {final} ({len(inputs.builds)} of {len(targets.DEFAULT_TARGETS)} targets"
          + (f"; missing: {', '.join(missing)}" if missing else "") + f") in {time.perf_counter() - started:.1f} s")
    return final
