"""`python -m pkg plan` (make plan VERSION=…): what a release will produce, before anything is built — the
targets, each build's files, and every release stage with the files it writes or why it will skip.
It walks pkg/pipeline.py's lists without running a stage: the plan and the pipeline cannot disagree.

By default the plan is CI's (five runners, the Windows one also building the MSI, then the merge job);
`--here` plans what `make release` on this machine would do (this machine's build only).
"""

from pathlib import Path

from pkg import check
from pkg.compile.context import BuildContext
from pkg.core import names, targets, version
from pkg.core.config import Config
from pkg.core.model import Artifact, Backend, Build, Kind, Layout, Manifest
from pkg.core.stage import Stage, walk
from pkg.release.context import ReleaseContext


def planned_inputs(app, v: version.Version, built: list[str], runner_msi: bool) -> Manifest:
    """The merged builds as they will be: names only, no files."""
    inputs = Manifest(moment="build", app=app)
    for target in built:
        folder = names.stem(app.name, target)
        inputs.builds[target] = Build(target=target, backend=Backend.NUITKA, layout=Layout.FLAT, folder=folder,
                                      commands={c: f"{folder}/{names.program(c, targets.parse(target).os)}"
                                                for c in app.command_names})
        inputs.add(Artifact(name=names.archive(app.name, target), kind=Kind.ARCHIVE, path="", target=target))
    if runner_msi and names.WINDOWS_TARGET in built:
        inputs.add(Artifact(name=names.msi(app.name), kind=Kind.MSI, path="", target=names.WINDOWS_TARGET))
    return inputs


def lines(cfg: Config, version_text: str, here: bool = False) -> list[str]:
    from pkg.pipeline import BUILD, BUILD_TEST, RELEASE

    v = version.parse(version_text, cfg.tag_prefix)
    app = check.app_of(cfg).model_copy(update={"version": str(v)})
    built = [targets.host().name] if here else list(targets.DEFAULT_TARGETS)
    kind = "pre-release" if v.prerelease else "stable"
    out = [f"plan for {app.name} {v} (tag {v.tag}, {kind}; distribution {app.dist}): "
           f"commands {', '.join(app.command_names)}",
           f"targets: {', '.join(built)}" + ("" if here else " (one CI runner each)"),
           f"glibc floor: {cfg.glibc} (tool.pkg.glibc): the oldest glibc the Linux builds must run on", ""]

    sample = targets.host() if here else targets.Target("<os>", "<arch>")
    build_ctx = BuildContext(cfg, sample, Path(names.DIST), Path(names.WORK) / sample.name, planned=app)
    out.append(f"build, on {'this machine' if here else 'each runner'} (make build-test VERSION={v}) → "
               f"{names.DIST}/, working in {names.WORK}/{sample.name}/:")
    out += [f"  {s.name:<16}{s.does}" + _writes(s.writes(build_ctx)) for s in [*BUILD, *BUILD_TEST]]
    out.append("")

    inputs = planned_inputs(app, v, built, runner_msi=not here)
    release = Manifest(moment="release", app=app, artifacts=[
        a for a in inputs.artifacts if a.kind.from_builds])
    ctx = ReleaseContext(cfg, v, Path(names.DIST), Path(names.RELEASES) / names.release_folder(v.tag), cfg.root, inputs,
                         release, epoch=0)
    command = f"make release VERSION={v}" + ("" if here else " REQUIRE_TARGETS=all")
    out.append(f"release, one job ({command}) → {names.RELEASES}/{names.release_folder(v.tag)}/:")

    def planned(stage: Stage[ReleaseContext], ctx: ReleaseContext) -> None:
        files = stage.writes(ctx)
        out.append(f"  {stage.name:<16}{stage.does}" + _writes(files))
        if stage.makes is not None:  # what later stages will select (checksums, SBOM…)
            for file in files:
                release.add(Artifact(name=file, kind=stage.makes, path=file))

    walk(RELEASE, ctx, planned, lambda stage, reason: out.append(f"  {stage.name:<16}skipped: {reason}"))
    return out


def _writes(files: list[str]) -> str:
    return f"\n  {'':<16}→ {', '.join(files)}" if files else ""


def run(cfg: Config, version_text: str, here: bool = False) -> None:
    print("\n".join(lines(cfg, version_text, here)))
