"""The start-up gate between releases (pkg/release/startup_gate.py): build-test's instruction counts recorded in
the release and compared with the previous release's — +10 % warns (in the notes too), the declared
tool.pkg.startup.instructions-growth fails in one line. The counts themselves come from a real build-test
(tests/test_build_e2e.py)."""

import dataclasses
import json
import shutil

import pytest

from pkg.core import model, names
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.release import startup_gate

from .conftest import example_config
from .fixtures_release import make_release, run

TARGET = "linux-x86_64"
LINE = "tailor --version"


def with_counts(tmp_path, counts: dict[str, int], cfg=None):
    """A release context whose Linux build in dist/ has a smoke record with `counts`."""
    ctx = make_release(tmp_path, cfg or example_config(), targets=(TARGET,))
    dist = tmp_path / "dist"
    dist.mkdir()
    archive = ctx.manifest.select(Kind.ARCHIVE)[0]
    shutil.copyfile(ctx.folder / archive.path, dist / archive.name)
    ctx.inputs.artifacts.append(model.describe(dist / archive.name, dist, Kind.ARCHIVE, TARGET))
    model.BuildTestRecord(target=TARGET, archive=archive.name, sha256=archive.sha256, compared=3,
                      instructions=counts).write(dist / names.build_test_record(ctx.app.name, TARGET))
    return ctx


def published(path, version: str, counts: dict[str, int] | None) -> None:
    """A release's manifest.json as the gate reads it (counts None: one from before they were recorded)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    release = {"tag": f"v{version}"} | ({"startup_instructions": {TARGET: counts}} if counts is not None else {})
    path.write_text(json.dumps({"schema": 5, "app": {"version": version}, "release": release}))


def test_the_counts_are_recorded_and_a_growth_above_ten_percent_warns(tmp_path):
    ctx = with_counts(tmp_path, {LINE: 43_000_000, "tailor-extra --version": 50_000_000})
    published(ctx.folder.parent / "v0.1.0" / "manifest.json", "0.1.0", {LINE: 40_000_000})
    run(startup_gate.STAGE, ctx)
    assert ctx.instructions == {TARGET: {LINE: 43_000_000, "tailor-extra --version": 50_000_000}}
    assert ctx.warnings == []  # +7.5 %; the new command has nothing to compare with
    ctx = with_counts(tmp_path / "again", {LINE: 45_000_000})
    published(ctx.folder.parent / "v0.1.0" / "manifest.json", "0.1.0", {LINE: 40_000_000})
    run(startup_gate.STAGE, ctx)
    assert len(ctx.warnings) == 1 and "starts in +12.5 % instructions against 0.1.0" in ctx.warnings[0]
    assert "(45.0 M, was 40.0 M)" in ctx.warnings[0]


def test_above_the_declared_budget_the_release_fails_in_one_line(tmp_path):
    cfg = dataclasses.replace(example_config(), instructions_growth=5.0)
    ctx = with_counts(tmp_path, {LINE: 43_000_000}, cfg)
    published(ctx.folder.parent / "v0.1.0" / "manifest.json", "0.1.0", {LINE: 40_000_000})
    with pytest.raises(PkgError, match=r"start-up grew: `tailor --version` on linux-x86_64 starts in \+7.5 % "
                                       r"instructions against 0.1.0 .*above tool.pkg.startup.instructions-growth = 5$"):
        run(startup_gate.STAGE, ctx)


def test_the_baseline_is_the_highest_older_release_or_the_file_named(tmp_path):
    ctx = with_counts(tmp_path, {LINE: 60_000_000})
    root = ctx.folder.parent
    published(root / "v0.1.0" / "manifest.json", "0.1.0", {LINE: 10_000_000})
    published(root / "v0.1.5" / "manifest.json", "0.1.5", {LINE: 59_000_000})
    published(root / "v0.3.0" / "manifest.json", "0.3.0", {LINE: 1_000_000})  # newer: never the baseline
    published(root / ".v0.1.9.abc.tmp" / "manifest.json", "0.1.9", {LINE: 1_000_000})  # being written
    assert startup_gate.previous(root, "0.2.0") == root / "v0.1.5" / "manifest.json"
    run(startup_gate.STAGE, ctx)
    assert ctx.warnings == []  # +1.7 % against 0.1.5
    named = tmp_path / "downloaded" / "manifest.json"
    published(named, "0.1.8", {LINE: 30_000_000})
    ctx = with_counts(tmp_path / "named", {LINE: 60_000_000})
    ctx.startup_baseline = named
    run(startup_gate.STAGE, ctx)
    assert len(ctx.warnings) == 1 and "+100.0 % instructions against 0.1.8" in ctx.warnings[0]


def test_nothing_to_compare_is_said_not_failed(tmp_path, capsys):
    ctx = with_counts(tmp_path, {LINE: 60_000_000})
    published(ctx.folder.parent / "v0.1.0" / "manifest.json", "0.1.0", None)  # recorded nothing
    run(startup_gate.STAGE, ctx)
    assert ctx.warnings == [] and ctx.instructions == {TARGET: {LINE: 60_000_000}}
    ctx = with_counts(tmp_path / "bare", {})  # no valgrind where build-test ran
    run(startup_gate.STAGE, ctx)
    assert ctx.instructions == {} and "nothing counted" in capsys.readouterr().out


def test_an_unreadable_baseline_is_one_line(tmp_path):
    bad = tmp_path / "manifest.json"
    bad.write_text("{not json")
    with pytest.raises(PkgError, match=r"manifest.json: not a release manifest to compare start-up with"):
        startup_gate.recorded(bad)
