"""The GitHub workflows: valid against check-jsonschema's bundled workflow schema (offline), every `run:`
is make or a script in scripts/, no build flag, target name or version inside, the matrix covers the
release targets, publishing is skipped for pre-releases. Plus the publishing scripts against real git."""

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pkg import config, project, targets

ROOT = config.ROOT
WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE, CI = WORKFLOWS / "release.yml", WORKFLOWS / "ci.yml"
BIN = Path(sys.executable).parent
# GitHub's hosted-runner hardware (docs.github.com, "GitHub-hosted runners"): label -> our target.
RUNNER_TARGETS = {
    "macos-14": "macos-arm64",
    "macos-15-intel": "macos-x86_64",
    "ubuntu-22.04": "linux-x86_64",  # the oldest glibc we support
    "ubuntu-24.04-arm": "linux-arm64",
    "windows-2022": "windows-x86_64",
}
PUBLISHING_JOBS = ("homebrew", "winget", "scoop")
RUN_LINE = re.compile(r"(make|scripts/[\w.-]+\.sh)(\s.*)?")


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:  # YAML 1.1 reads the key `on` as a boolean
        workflow["on"] = workflow.pop(True)
    return workflow


def steps(workflow: dict):
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def scalars(node, path=()):
    """(key path, string) for every scalar in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from scalars(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from scalars(item, path)
    else:
        yield path, str(node)


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess:
    # Offline: any network use would fail, the proxy is a closed port.
    env = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           *map(str, paths)], capture_output=True, text=True, env=env)


def test_workflows_match_the_bundled_schema_offline():
    result = check_jsonschema(RELEASE, CI)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: make\n")  # no runs-on
    result = check_jsonschema(broken)
    assert result.returncode != 0
    assert "runs-on" in result.stdout + result.stderr


@pytest.mark.parametrize("path", [RELEASE, CI], ids=lambda p: p.name)
def test_every_run_step_is_make_or_a_script(path):
    runs = [(job, step["run"]) for job, step in steps(load(path)) if "run" in step]
    assert runs
    for job, run in runs:
        assert "\n" not in run.strip(), f"{job}: one command per step: {run!r}"
        match = RUN_LINE.fullmatch(run.strip())
        assert match, f"{job}: `run: {run}` is neither make nor scripts/*.sh"
        if match.group(1) != "make":
            script = ROOT / match.group(1)
            assert script.is_file() and os.access(script, os.X_OK), f"{script} missing or not executable"


@functools.cache
def nuitka_options() -> set[str]:
    help_text = subprocess.run([str(BIN / "python"), "-m", "nuitka", "--help"], capture_output=True,
                               text=True, check=True).stdout
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", help_text))


@pytest.mark.parametrize("path", [RELEASE, CI], ids=lambda p: p.name)
def test_no_build_flag_target_or_version_in_workflow(path):
    text = path.read_text(encoding="utf-8")
    options = nuitka_options()
    assert {"--mode", "--include-package", "--output-dir"} <= options  # the oracle works
    assert not {o for o in options if re.search(re.escape(o) + r"(?![\w-])", text)}
    for name in (*targets.DEFAULT_TARGETS, *targets.ARCH_NAMES):
        assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), name
    assert project.read(config.load().project_dir).version not in text
    assert not re.search(r"\d+\.\d+\.\d+", text)  # no X.Y.Z anywhere, comments included
    # X.Y only where a runner label or the toolchain's Python needs it; action refs may be pinned.
    for key_path, value in scalars(load(path)):
        if re.search(r"\d+\.\d+", value):
            assert key_path[-1] in ("runner", "runs-on", "python-version", "uses"), (key_path, value)


def test_build_matrix_covers_the_release_targets():
    build = load(RELEASE)["jobs"]["build"]
    runners = build["strategy"]["matrix"]["runner"]
    assert build["runs-on"] == "${{ matrix.runner }}"
    assert set(build["strategy"]["matrix"]) == {"runner"}
    assert sorted(RUNNER_TARGETS[label] for label in runners) == sorted(targets.DEFAULT_TARGETS)
    assert len(runners) == len(set(runners)) == len(targets.DEFAULT_TARGETS)
    assert build["strategy"]["fail-fast"] is False  # one broken runner must not hide the others


def step_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def test_build_steps_cache_and_upload():
    workflow = load(RELEASE)
    build = workflow["jobs"]["build"]
    runs = {s["run"]: s for s in build["steps"] if "run" in s}
    assert 'make build-test VERSION="${GITHUB_REF_NAME#v}"' in runs
    assert runs['make msi VERSION="${GITHUB_REF_NAME#v}"']["if"] == "runner.os == 'Windows'"
    assert step_using(build, "actions/setup-python")[0]["with"]["python-version"] == "3.11"
    assert step_using(build, "astral-sh/setup-uv")
    cache = step_using(build, "actions/cache")[0]["with"]
    assert cache["path"] == "${{ env.NUITKA_CACHE_DIR }}" and workflow["env"]["NUITKA_CACHE_DIR"]
    assert "runner.os" in cache["key"] and "runner.arch" in cache["key"]
    upload = step_using(build, "actions/upload-artifact")[0]["with"]
    assert upload["path"] == "dist/" and "matrix.runner" in upload["name"]
    # the steps come in order: caches restored before the build, dist/ uploaded after it
    order = [s.get("uses", s.get("run", "")).split("@")[0] for s in build["steps"]]
    assert order.index("actions/cache") < order.index('make build-test VERSION="${GITHUB_REF_NAME#v}"')
    assert order[-1] == "actions/upload-artifact"


def test_version_comes_from_the_tag():
    # The workflow's own shell expansion, run by bash: v0.2.0rc1 -> 0.2.0rc1.
    out = subprocess.run(["bash", "-c", 'printf %s "${GITHUB_REF_NAME#v}"'], capture_output=True, text=True,
                         env={"GITHUB_REF_NAME": "v0.2.0rc1"}, check=True).stdout
    assert out == "0.2.0rc1"
    assert load(RELEASE)["on"] == {"push": {"tags": ["v*"]}}


def test_release_job_merges_every_runner_and_publishes():
    jobs = load(RELEASE)["jobs"]
    release = jobs["release"]
    assert release["needs"] == "build"
    download = step_using(release, "actions/download-artifact")[0]["with"]
    assert download == {"pattern": "dist-*", "path": "dist", "merge-multiple": True}
    runs = [s["run"] for s in release["steps"] if "run" in s]
    merge = runs.index('make release VERSION="${GITHUB_REF_NAME#v}" REQUIRE_TARGETS=all')
    publish = next(i for i, r in enumerate(runs) if r.startswith("scripts/publish-github.sh"))
    assert merge < publish
    assert release["permissions"] == {"contents": "write"}
    assert load(RELEASE)["permissions"] == {"contents": "read"}  # write only where a job needs it


def test_publishing_jobs_are_skipped_for_prereleases():
    jobs = load(RELEASE)["jobs"]
    release = jobs["release"]
    info = next(s for s in release["steps"] if s.get("id") == "info")
    assert info["run"].startswith("make print-release-info ") and info["run"].endswith('>> "$GITHUB_OUTPUT"')
    assert release["outputs"]["prerelease"] == "${{ steps.info.outputs.prerelease }}"
    keep = step_using(release, "actions/upload-artifact")[0]
    assert keep["if"] == "steps.info.outputs.prerelease == 'false'"
    for name in PUBLISHING_JOBS:
        job = jobs[name]
        assert job["needs"] == "release"
        # Compared with 'false', so an empty or unexpected value skips rather than publishes.
        assert job["if"] == "needs.release.outputs.prerelease == 'false'"
        assert any(s.get("run", "").startswith("scripts/publish-") for s in job["steps"])
    others = set(jobs) - {"build", "release", *PUBLISHING_JOBS}
    assert not others


def test_ci_runs_lint_and_tests_on_push_and_pull_request():
    workflow = load(CI)
    assert {"push", "pull_request"} <= set(workflow["on"])
    (job,) = workflow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu-")
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs == ["make lint", "make test"]


# --- the publishing scripts -----------------------------------------------------------------------
SCRIPTS = sorted((ROOT / "scripts").glob("publish-*.sh"))


def test_publishing_scripts_are_shellcheck_clean():
    assert {p.name for p in SCRIPTS} >= {"publish-git.sh", "publish-github.sh", "publish-winget.sh"}
    result = subprocess.run([str(BIN / "shellcheck"), *map(str, SCRIPTS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def remote(tmp_path) -> str:
    """A bare repository with one commit on main, standing in for a tap or bucket (real git)."""
    seed = tmp_path / "seed"
    seed.mkdir()
    git("init", "-q", "-b", "main", cwd=seed)
    (seed / "README.md").write_text("tap\n")
    (seed / "Formula").mkdir()
    (seed / "Formula" / "other.rb").write_text("# another formula\n")
    git("add", ".", cwd=seed)
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "init", cwd=seed)
    git("clone", "-q", "--bare", str(seed), str(tmp_path / "tap.git"))
    return f"file://{tmp_path / 'tap.git'}"


def publish(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GH_TOKEN"}
    return subprocess.run([str(ROOT / "scripts" / "publish-git.sh"), *args], capture_output=True, text=True,
                          env=env)


def test_publish_git_commits_pushes_and_is_idempotent(tmp_path, remote):
    source = tmp_path / "homebrew" / "Formula"
    source.mkdir(parents=True)
    (source / "tailor.rb").write_text("class Tailor < Formula\nend\n")
    first = publish(remote, str(source), "Formula", "tailor v1")
    assert first.returncode == 0, first.stderr
    assert "published 1 file(s)" in first.stdout
    remote_path = remote.removeprefix("file://")
    assert git("--git-dir", remote_path, "show", "main:Formula/tailor.rb") == "class Tailor < Formula\nend\n"
    assert git("--git-dir", remote_path, "show", "main:Formula/other.rb") == "# another formula\n"
    assert git("--git-dir", remote_path, "log", "-1", "--format=%s", "main").strip() == "tailor v1"

    again = publish(remote, str(source), "Formula", "tailor v1")
    assert again.returncode == 0 and "nothing to publish" in again.stdout
    assert git("--git-dir", remote_path, "rev-list", "--count", "main").strip() == "2"


def test_publish_git_to_a_branch_keeps_the_tree(tmp_path, remote):
    source = tmp_path / "winget" / "manifests"
    version_dir = source / "t" / "TailorProject" / "Tailor" / "1.0.0"
    version_dir.mkdir(parents=True)
    (version_dir / "TailorProject.Tailor.yaml").write_text("PackageVersion: '1.0.0'\n")
    for _ in range(2):  # a re-run replaces the branch
        result = publish(remote, str(source), "manifests", "New version", "TailorProject.Tailor-1.0.0")
        assert result.returncode == 0, result.stderr
    remote_path = remote.removeprefix("file://")
    listed = git("--git-dir", remote_path, "ls-tree", "-r", "--name-only", "TailorProject.Tailor-1.0.0")
    assert "manifests/t/TailorProject/Tailor/1.0.0/TailorProject.Tailor.yaml" in listed.split()
    assert git("--git-dir", remote_path, "rev-list", "--count", "main").strip() == "1"  # main untouched


def test_publish_scripts_refuse_bad_input(tmp_path, remote):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = publish(remote, str(empty), "Formula", "msg")
    assert result.returncode == 1 and "no files to publish" in result.stderr
    assert publish(remote, str(empty)).returncode == 2

    github = subprocess.run([str(ROOT / "scripts" / "publish-github.sh"), str(empty), "maybe"],
                            capture_output=True, text=True)
    assert github.returncode == 2 and "usage" in github.stderr
    github = subprocess.run([str(ROOT / "scripts" / "publish-github.sh"), str(empty), "false"],
                            capture_output=True, text=True)
    assert github.returncode == 1 and "no files" in github.stderr

    manifests = tmp_path / "manifests"
    for package in ("A", "B"):  # two packages with the same version: ambiguous
        (manifests / "t" / "P" / package / "1.0.0").mkdir(parents=True)
        (manifests / "t" / "P" / package / "1.0.0" / f"P.{package}.yaml").write_text("x: 1\n")
    for version, found in (("1.0.0", 2), ("2.0.0", 0)):
        winget = subprocess.run([str(ROOT / "scripts" / "publish-winget.sh"), "me/winget-pkgs", str(manifests),
                                 version], capture_output=True, text=True)
        assert winget.returncode == 1 and "exactly one" in winget.stderr and f"found {found}" in winget.stderr
