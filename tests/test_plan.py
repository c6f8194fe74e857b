"""`python -m pkg plan` (make plan VERSION=…): what it says a release will hold is what `make release`
then writes, for a stable and a pre-release version; its stages are the pipeline's, in order."""

import re
import subprocess
import sys

import pytest

from pkg import pipeline, plan
from pkg.core import names

from .conftest import ROOT, example_config
from .fixtures import fake_dist


def planned_release_files(out: list[str]) -> set[str]:
    """The `→ a, b` lines of the release section."""
    out = "\n".join(out).splitlines()
    release = out[next(i for i, line in enumerate(out) if line.startswith("release,")):]
    return {name.strip() for line in release if line.strip().startswith("→")
            for name in line.strip()[1:].split(",")}


def released_files(folder) -> set[str]:
    top = {p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()}
    winget = {f"{names.WINGET}/{p.name}" for p in (folder / names.WINGET).glob("*")}
    return (top - {f"{names.WINGET}/"}) | winget


@pytest.mark.parametrize("version", ["0.2.0", "0.3.0rc1"])
def test_the_plan_lists_exactly_what_the_release_writes(tmp_path, version):
    cfg = example_config()
    said = planned_release_files(plan.lines(cfg, version))
    final = pipeline.release(cfg, version, fake_dist(tmp_path / "dist", version), tmp_path / "release",
                             require_all=True, repo_out=tmp_path / "repo")
    assert said == released_files(final)
    assert (names.formula(cfg_app_name()) in said) is (version == "0.2.0")


def cfg_app_name() -> str:
    from pkg import check

    return check.app_of(example_config()).name


def test_the_plan_walks_the_pipelines_stages_in_order():
    out = "\n".join(plan.lines(example_config(), "0.3.0rc1")).splitlines()
    stage_lines = [line.split()[0] for line in out if re.match(r"  \S", line)]
    build = [s.name for s in pipeline.BUILD]
    release = [s.name for s in pipeline.RELEASE]
    assert stage_lines[:len(build)] == build
    assert stage_lines[-len(release):] == release
    skipped = {line.split()[0]: line for line in out if "skipped:" in line}
    assert {"homebrew", "winget", "scoop"} <= set(skipped)
    assert all("pre-release" in skipped[s] for s in ("homebrew", "winget", "scoop"))


def test_the_plan_refuses_a_bad_version_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "pkg", "plan", "--version", "0.2.x"], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "0.2.x" in proc.stderr


HEAVY = ("jsonschema", "matplotlib", "nuitka", "PyInstaller", "sigstore", "lxml", "pydantic_settings")


@pytest.mark.parametrize("argv", [["check"], ["plan", "--version", "0.2.0"]], ids=["check", "plan"])
def test_check_and_plan_import_nothing_heavy(argv):
    """They answer in well under a second (README, `time`); what keeps them so is what they import, which a
    busy machine cannot change: none of the heavy libraries (the CycloneDX validator, jsonschema, alone takes ~1 s), and
    a bounded number of modules (482 at the time of writing)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "pkg", *argv], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = [line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")
                and not line.endswith("| package")]
    assert not [m for m in imported if m.split(".")[0] in HEAVY]
    assert len(imported) < 650, len(imported)


def test_each_stage_takes_its_pipelines_context():
    """Stage[C]: a release stage put in BUILD (or a build stage in RELEASE) fails here, as a type checker would
    fail it: every named run/skip/writes function of a stage is annotated with the context its list travels."""
    import inspect
    import typing

    from pkg.compile.context import BuildContext
    from pkg.core.stage import never, nothing
    from pkg.release.context import ReleaseContext

    checked = 0
    for stages, context in ((pipeline.BUILD + pipeline.BUILD_TEST, BuildContext), (pipeline.RELEASE, ReleaseContext)):
        for stage in stages:
            for function in (stage.run, stage.skip, stage.writes):
                if function in (never, nothing) or function.__name__ == "<lambda>":
                    continue
                first = next(iter(inspect.signature(function).parameters))
                assert typing.get_type_hints(function).get(first) is context, (stage.name, function.__name__)
                checked += 1
    assert checked >= 40, checked


def test_a_stage_that_adds_what_later_stages_select_says_so(tmp_path, monkeypatch):
    """Stage.makes: `plan` records what a stage writes under that kind, so later stages (checksums, SBOM,
    install scripts) plan over it. Every download a release stage adds is declared; stage archives carries the
    builds' own, which the plan takes from the planned builds."""
    import dataclasses

    from pkg.core.model import Kind

    added: dict[str, set[Kind]] = {}

    def watched(stage):
        def run(ctx):
            before = {a.name for a in ctx.manifest.artifacts}
            stage.run(ctx)
            added[stage.name] = {a.kind for a in ctx.manifest.artifacts if a.name not in before}
        return dataclasses.replace(stage, run=run)

    declared = {s.name: s.makes for s in pipeline.RELEASE}
    monkeypatch.setattr(pipeline, "RELEASE", [watched(s) for s in pipeline.RELEASE])
    pipeline.release(example_config(), "0.2.0", fake_dist(tmp_path / "dist", "0.2.0"), tmp_path / "release",
                     repo_out=tmp_path / "repo")
    downloads = {k for k in Kind if k.download}
    undeclared = {name: kinds & downloads for name, kinds in added.items()
                  if name != "archives" and kinds & downloads - {declared[name]}}
    assert not undeclared, undeclared
    assert {"msi", "packages"} <= {n for n, kinds in added.items() if kinds & downloads}  # both ran here


def test_a_build_field_read_before_its_stage_names_that_stage(tmp_path):
    """SetBy: a stage list out of order fails naming the stage that sets the field, not with a NoneType error."""
    from pkg.compile.context import BuildContext
    from pkg.core import targets
    from pkg.core.errors import PkgError

    ctx = BuildContext(example_config(), targets.host(), tmp_path, tmp_path / "work")
    for field, stage in (("env", "env"), ("built", "compile"), ("layout", "commands"), ("manifest", "env")):
        assert not ctx.has(field)
        with pytest.raises(PkgError, match=rf"{field} is needed before stage `{stage}` has set it"):
            getattr(ctx, field)
    ctx.built = tmp_path
    assert ctx.has("built") and ctx.built == tmp_path
    with pytest.raises(PkgError, match="before stage `env`"):
        pipeline.run_stages([pipeline.BUILD[pipeline.BUILD.index(pipeline.CHECK)]], ctx)  # check needs the env
