"""The GitHub workflows: valid against check-jsonschema's bundled workflow schema (offline), every `run:`
is make or a script in scripts/, no build flag, target name or version inside, the matrix covers the
release targets, publishing is skipped for pre-releases, every output a step reads is one
`make print-release-info` prints and every folder it uploads is one `make release` writes. Plus the
publishing scripts against real git (and a stand-in `gh`: GitHub itself cannot be reached here)."""

import fnmatch
import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pkg import pipeline
from pkg.core import config, names, targets, version
from pkg.project import metadata as project

from .conftest import ROOT, example_config

ROOT = ROOT
WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE, CI, APP = WORKFLOWS / "release.yml", WORKFLOWS / "ci.yml", WORKFLOWS / "app.yml"
BIN = Path(sys.executable).parent
# GitHub's hosted-runner hardware (docs.github.com, "GitHub-hosted runners"): label -> our target.
RUNNER_TARGETS = {
    "macos-14": "macos-arm64",
    "macos-15-intel": "macos-x86_64",
    "ubuntu-24.04": "linux-x86_64",  # in a container on the glibc floor (FLOOR_CONTAINER)
    "ubuntu-24.04-arm": "linux-arm64",
    "windows-2022": "windows-x86_64",
}
# The Linux builds run in AlmaLinux 8: its glibc (2.28) is the default floor, its Python 3.11 has libpython.
FLOOR_CONTAINER, FLOOR_CONTAINER_GLIBC = "almalinux:8", "2.28"
# The one run line that is neither make nor a script: the container has no git and no make before checkout.
BOOTSTRAP = "dnf install -y -q git-core make"
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
    result = check_jsonschema(RELEASE, CI, APP)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: make\n")  # no runs-on
    result = check_jsonschema(broken)
    assert result.returncode != 0
    assert "runs-on" in result.stdout + result.stderr


MAKE_TARGETS = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))


@pytest.mark.parametrize("path", [RELEASE, CI, APP], ids=lambda p: p.name)
def test_every_run_step_is_a_make_target_or_a_script(path):
    runs = [(job, step["run"]) for job, step in steps(load(path)) if "run" in step]
    assert runs
    for job, run in runs:
        assert "\n" not in run.strip(), f"{job}: one command per step: {run!r}"
        if run == BOOTSTRAP and path == RELEASE and job == "build":
            continue  # test_linux_builds_run_in_a_container_on_the_glibc_floor
        match = RUN_LINE.fullmatch(run.strip())
        assert match, f"{job}: `run: {run}` is neither make nor scripts/*.sh"
        if match.group(1) == "make":
            target = (match.group(2) or " help").split()[0]
            assert target in MAKE_TARGETS, f"{job}: make {target} is no target of the Makefile"
        else:
            script = ROOT / match.group(1)
            assert script.is_file() and os.access(script, os.X_OK), f"{script} missing or not executable"


@pytest.mark.parametrize("path", [RELEASE, CI, APP], ids=lambda p: p.name)
def test_run_lines_read_only_variables_their_step_sets(path):
    """No `${{ }}` inside a run line (GitHub's script-injection advice); each $VAR comes from the step's
    env, GitHub's own GITHUB_* variables or the shell."""
    for job, step in steps(load(path)):
        if "run" not in step:
            continue
        assert "${{" not in step["run"], f"{job}: pass expressions through env, not into the script"
        for var in re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", step["run"]):
            assert var in step.get("env", {}) or var.startswith("GITHUB_"), f"{job}: ${var} is set nowhere"


@functools.cache
def nuitka_options() -> set[str]:
    help_text = subprocess.run([str(BIN / "python"), "-m", "nuitka", "--help"], capture_output=True,
                               text=True, check=True).stdout
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", help_text))


def file_names() -> set[str]:
    """Names from pkg/core/names.py that a workflow could be tempted to spell."""
    fixed = {names.SUMS, names.NOTES, names.MANIFEST, names.LICENSES, names.INSTALL_SH, names.INSTALL_PS1,
             f"{names.RELEASES}/", names.TAR_GZ, names.ZIP}
    return fixed | {layout.as_posix() for layout, _ in names.PUBLISHED.values() if len(layout.parts) > 1}


@pytest.mark.parametrize("path", [RELEASE, CI, APP], ids=lambda p: p.name)
def test_no_build_flag_target_version_or_file_name_in_workflow(path):
    text = path.read_text(encoding="utf-8")
    options = nuitka_options()
    assert {"--mode", "--include-package", "--output-dir"} <= options  # the oracle works
    assert not {o for o in options if re.search(re.escape(o) + r"(?![\w-])", text)}
    for name in (*targets.DEFAULT_TARGETS, *targets.ARCH_NAMES, *file_names()):
        before = "" if name.startswith(".") else r"(?<![\w/-])"  # a suffix follows a name
        assert not re.search(rf"{before}{re.escape(name)}(?![\w-])", text), name
    assert project.read(example_config().project_dir).version not in text
    assert not re.search(r"\d+\.\d+\.\d+", text)  # no X.Y.Z anywhere, comments included
    # X.Y only where a runner label or the toolchain's Python needs it; action refs may be pinned.
    for key_path, value in scalars(load(path)):
        if re.search(r"\d+\.\d+", value):
            assert key_path[-1] in ("runner", "runs-on", "python-version", "uses"), (key_path, value)


def github_outputs(text: str) -> dict[str, str]:
    """Parse $GITHUB_OUTPUT as the runner does: key=value, or key<<DELIM … DELIM."""
    found, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            found[key] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            key, value = line.split("=", 1)
            found[key] = value
    return found


@functools.cache
def release_info(version: str) -> dict[str, str]:
    proc = subprocess.run(["make", "-s", "print-release-info", f"VERSION={version}"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return github_outputs(proc.stdout)


def expressions(node) -> set[tuple[str, str]]:
    """(context, key) of every `steps.<id>.outputs.<key>` / `needs.<job>.outputs.<key>` used."""
    return {(m[0], m[1]) for _, value in scalars(node)
            for m in re.findall(r"\b((?:steps|needs)\.[\w-]+)\.outputs\.([\w-]+)", value)}


def test_every_output_the_workflow_reads_is_one_the_pipeline_prints():
    jobs = load(RELEASE)["jobs"]
    facts = release_info("0.2.0")
    release_outputs = jobs["release"]["outputs"]
    for context, key in expressions(jobs):
        if context == "steps.info":
            assert key in facts, f"make print-release-info prints no {key}"
        else:
            assert context == "needs.release" and key in release_outputs, f"{context}.outputs.{key}"
    assert expressions(release_outputs) <= {("steps.info", k) for k in facts}
    # every publishing layout is pushed by a job, from where make release wrote it to where it belongs
    read_by_jobs = {key for context, key in expressions({k: v for k, v in jobs.items() if k != "release"})}
    assert {f"{channel}_{end}" for channel in names.PUBLISHED for end in ("from", "to")} <= read_by_jobs


def test_the_release_facts_follow_the_version():
    stable, pre = release_info("0.2.0"), release_info("0.3.0rc1")
    assert (stable["version"], stable["tag"], stable["prerelease"]) == ("0.2.0", "v0.2.0", "false")
    assert (pre["tag"], pre["prerelease"]) == ("v0.3.0rc1", "true") and pre["folder"].endswith("/v0.3.0rc1")
    bad = subprocess.run(["make", "-s", "print-release-info", "VERSION=1.0-beta"], cwd=ROOT, capture_output=True,
                         text=True)
    assert bad.returncode != 0 and "1.0-beta" in bad.stderr and not bad.stdout


def test_the_folders_ci_uploads_and_publishes_are_the_ones_make_release_writes(tmp_path):
    from pkg import pipeline

    from .fixtures import fake_dist

    final = pipeline.release(example_config(), "0.2.0", fake_dist(tmp_path / "dist", "0.2.0"), tmp_path / "release",
                             require_all=True, repo_out=tmp_path)
    facts = release_info("0.2.0")
    assert final == tmp_path / facts["folder"] and (tmp_path / facts["notes"]).is_file()
    uploaded = facts["packages"].splitlines()
    assert len(uploaded) == 3 and all(any((tmp_path / folder).rglob("*.*")) for folder in uploaded)
    for channel in ("homebrew", "scoop", "winget"):
        assert f"{facts[channel + '_from']}/" in uploaded


def test_each_target_is_built_on_its_own_runner_and_the_release_job_gets_them_all():
    jobs = load(RELEASE)["jobs"]
    build, release = jobs["build"], jobs["release"]
    runners = build["strategy"]["matrix"]["runner"]
    assert build["runs-on"] == "${{ matrix.runner }}"
    assert sorted(RUNNER_TARGETS[label] for label in runners) == sorted(targets.DEFAULT_TARGETS)
    assert build["strategy"]["fail-fast"] is False  # one broken runner must not hide the others
    upload = step_using(build, "actions/upload-artifact")[0]["with"]
    download = step_using(release, "actions/download-artifact")[0]["with"]
    artifact_names = {upload["name"].replace("${{ matrix.runner }}", r) for r in runners}
    assert len(artifact_names) == len(runners)  # one artifact per runner, none overwriting another
    assert all(fnmatch.fnmatch(n, download["pattern"]) for n in artifact_names)
    assert download["merge-multiple"] is True and download["path"].rstrip("/") == upload["path"].rstrip("/")
    assert "REQUIRE_TARGETS=all" in runs_of(release, "make release")[0]  # a missing runner fails the release


def test_linux_builds_run_in_a_container_on_the_glibc_floor():
    """Both Linux runners build inside AlmaLinux 8 (glibc = the default floor), with its own Python (setup-python's
    would need a newer glibc and has no libpython there); git and make come first, then the same make target as
    on every runner. macOS and Windows run on the runner itself."""
    build = load(RELEASE)["jobs"]["build"]
    matrix = build["strategy"]["matrix"]
    contained = {entry["runner"]: entry["container"] for entry in matrix["include"]}
    linux = [r for r in matrix["runner"] if RUNNER_TARGETS[r].startswith("linux")]
    assert contained == {r: FLOOR_CONTAINER for r in linux} and build["container"] == "${{ matrix.container }}"
    assert FLOOR_CONTAINER_GLIBC == targets.GLIBC_FLOOR == config.Config.__dataclass_fields__["glibc"].default
    first = build["steps"][0]
    assert first["run"] == BOOTSTRAP and first["if"] == "matrix.container"
    assert position(build, lambda s: s.get("uses", "").startswith("actions/checkout")) == 1
    python = step_using(build, "actions/setup-python")[0]
    assert python["if"] == "${{ !matrix.container }}"
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert re.search(r"DNF_PACKAGES=\(.*\bpython3\.11-devel\b", setup)  # libpython for Nuitka
    assert runs_of(build, "make build-test") == ['make build-test VERSION="$GITHUB_REF_NAME"']


def step_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def runs_of(job: dict, prefix: str) -> list[str]:
    return [s["run"] for s in job["steps"] if s.get("run", "").startswith(prefix)]


def position(job: dict, wanted) -> int:
    return next(i for i, s in enumerate(job["steps"]) if wanted(s))


def test_steps_come_in_an_order_that_works():
    workflow = load(RELEASE)
    build, release = workflow["jobs"]["build"], workflow["jobs"]["release"]
    cache = position(build, lambda s: s.get("uses", "").startswith("actions/cache"))
    built = position(build, lambda s: s.get("run", "").startswith("make build-test"))
    upload = position(build, lambda s: s.get("uses", "").startswith("actions/upload-artifact"))
    assert cache < built < upload
    # the Windows runner's MSI is a stage of its build (pkg/channels/msi_runner.py), not a step of its own
    assert not runs_of(build, "make msi") and "msi" in [stage.name for stage in pipeline.BUILD]
    # every step that builds or releases is given the tag as VERSION (pkg/core/version.py drops its v)
    for run in [*runs_of(build, "make build"), *runs_of(release, "make release")]:
        assert 'VERSION="$GITHUB_REF_NAME"' in run
    info = position(release, lambda s: s.get("id") == "info")
    merged = position(release, lambda s: s.get("run", "").startswith("make release"))
    published = position(release, lambda s: s.get("run", "").startswith("scripts/publish-github.sh"))
    assert info < merged < published
    assert workflow["on"] == {"push": {"tags": [version.tag_glob(version.TAG_PREFIX)]}}  # make init rewrites it
    assert release_info(f"{version.TAG_PREFIX}0.2.0rc1")["version"] == "0.2.0rc1"  # a tag is a VERSION


def test_the_nuitka_cache_is_shared_per_os_and_arch():
    release, ci = load(RELEASE), load(CI)
    assert release["env"]["NUITKA_CACHE_DIR"] == ci["env"]["NUITKA_CACHE_DIR"]
    for workflow in (release, ci):
        for job in workflow["jobs"].values():
            for cache in step_using(job, "actions/cache"):
                assert cache["with"]["path"] == "${{ env.NUITKA_CACHE_DIR }}"
                assert "runner.os" in cache["with"]["key"] and "runner.arch" in cache["with"]["key"]


def test_write_permission_only_where_a_job_publishes():
    workflow = load(RELEASE)
    assert workflow["permissions"] == {"contents": "read"}
    writers = {name for name, job in workflow["jobs"].items() if job.get("permissions", {}).get("contents") == "write"}
    assert writers == {"release"}


def test_provenance_and_signature_come_after_the_release_and_before_publishing():
    """A build-provenance attestation of every file SHA256SUMS lists (GitHub's action) and a keyless Sigstore
    signature of SHA256SUMS (make sign-release), between `make release` and the first upload; the OIDC token
    and attestation writes only in that job."""
    workflow = load(RELEASE)
    release = workflow["jobs"]["release"]
    merged = position(release, lambda s: s.get("run", "").startswith("make release"))
    attest = position(release, lambda s: s.get("uses", "").startswith("actions/attest-build-provenance@"))
    signed = position(release, lambda s: s.get("run", "").startswith("make sign-release"))
    published = min(position(release, lambda s: s.get("run", "").startswith("scripts/publish-github.sh")),
                    position(release, lambda s: s.get("uses", "").startswith("actions/upload-artifact")))
    assert merged < attest < published and merged < signed < published
    assert 'VERSION="$GITHUB_REF_NAME"' in release["steps"][signed]["run"]
    # the checksums file the step names is the one `make release` writes for this version
    subject = release["steps"][attest]["with"]["subject-checksums"]
    assert subject == "${{ steps.info.outputs.sums }}"
    assert release_info(f"{version.TAG_PREFIX}0.2.0")["sums"] == f"{names.RELEASES}/v0.2.0/{names.SUMS}"
    assert release["permissions"] == {"contents": "write", "id-token": "write", "attestations": "write"}
    for name, job in workflow["jobs"].items():
        if name != "release":
            assert not {"id-token", "attestations"} & set(job.get("permissions", {})), name


def test_sign_release_refuses_without_an_identity_and_keeps_its_token_off_argv(tmp_path):
    from pkg.core.errors import InputError
    from pkg.release import provenance

    folder = tmp_path / "v0.2.0"
    folder.mkdir()
    with pytest.raises(InputError, match="SHA256SUMS"):
        provenance.sign(folder, env={})
    (folder / names.SUMS).write_text("0" * 64 + "  x\n")
    with pytest.raises(InputError, match="id-token: write"):
        provenance.sign(folder, env={"PATH": os.environ["PATH"]})
    assert not (folder / names.sums_bundle()).exists()
    assert provenance.identity({"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://x"})
    command = provenance.sign_command(folder / names.SUMS, folder / "out.json")
    assert command[1:] == ["sign", "--bundle", str(folder / "out.json"), "--overwrite", str(folder / names.SUMS)]
    assert not any("token" in part.lower() for part in command)  # SIGSTORE_IDENTITY_TOKEN stays in the environment


def test_sigstore_cli_takes_what_sign_and_the_readme_use():
    """The pinned sigstore's own parser accepts the signing command and the users' verification command."""
    from pkg.core.version import parse
    from pkg.release import provenance

    sign_help = subprocess.run([provenance.sigstore(), "sign", "--help"], capture_output=True, text=True).stdout
    assert all(opt in sign_help for opt in ("--bundle", "--overwrite"))
    commands = provenance.verify_commands(example_config(), parse("0.2.0"), "tailor-linux-x86_64.tar.gz")
    verify = commands[1]
    verify_help = subprocess.run([provenance.sigstore(), "verify", "identity", "--help"], capture_output=True,
                                 text=True).stdout
    for option in re.findall(r"(--[\w-]+)", verify.split("&&")[0]):
        assert option in verify_help, option
    readme = (ROOT / "README.md").read_text()
    assert all(command in readme for command in commands)  # the README shows exactly these


def test_publishing_jobs_are_skipped_for_prereleases():
    jobs = load(RELEASE)["jobs"]
    release = jobs["release"]
    keep = step_using(release, "actions/upload-artifact")[0]
    assert keep["if"] == "steps.info.outputs.prerelease == 'false'"
    publishing = {name for name, job in jobs.items() if any(s.get("run", "").startswith("scripts/publish-")
                                                            for s in job["steps"])} - {"release"}
    assert publishing == set(PUBLISHING_JOBS)
    for name in publishing:
        # Compared with 'false', so an empty or unexpected value skips rather than publishes.
        assert jobs[name]["needs"] == "release"
        assert jobs[name]["if"] == "needs.release.outputs.prerelease == 'false'"


def test_ci_runs_the_readme_commands_on_push_and_pull_request():
    workflow = load(CI)
    assert {"push", "pull_request"} <= set(workflow["on"])
    (job,) = workflow["jobs"].values()
    runs = [s["run"] for s in job["steps"] if "run" in s]
    local = re.findall(r"^make \S+", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
    assert runs == local == ["make lint", "make test", "make test-adopt", "make test-oldroot"]


def test_the_drop_in_workflow_checks_the_users_app_never_the_pipelines_suite():
    """What a drop-in user copies (README) runs their release's checks; lint and the tests stay here."""
    workflow = load(APP)
    assert {"push", "pull_request"} <= set(workflow["on"])
    (job,) = workflow["jobs"].values()
    assert [s["run"] for s in job["steps"] if "run" in s] == ["make check", "make build-test"]
    readme = (ROOT / "README.md").read_text()
    drop_in = readme[readme.index("**Drop-in**"):readme.index("Nothing of your project is edited")]
    assert ".github/workflows/app.yml" in drop_in and ".github/workflows/release.yml" in drop_in
    assert "ci.yml" not in drop_in.replace("not `ci.yml`", "")


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
    for wanted, found in (("1.0.0", 2), ("2.0.0", 0)):
        winget = subprocess.run([str(ROOT / "scripts" / "publish-winget.sh"), "me/winget-pkgs", str(manifests),
                                 "manifests", wanted], capture_output=True, text=True)
        assert winget.returncode == 1 and "exactly one" in winget.stderr and f"found {found}" in winget.stderr


def fake_gh(tmp_path: Path, existing: bool) -> tuple[dict, Path]:
    """A stand-in for GitHub's CLI (GitHub cannot be reached here): logs its arguments, one call a line;
    `gh release view` succeeds only when the release exists."""
    bin_dir, log = tmp_path / "bin", tmp_path / "gh.log"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\n'
                                f'[ "$1 $2" = "release view" ] && exit {0 if existing else 1}\nexit 0\n')
    (bin_dir / "gh").chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, log


@pytest.mark.parametrize("existing", [False, True], ids=["new", "re-run"])
def test_publish_github_uploads_the_release_files_with_its_notes(tmp_path, existing):
    folder = tmp_path / "release dir" / "v0.2.0"
    (folder / "winget").mkdir(parents=True)
    for name in ("app.tar.gz", "SUMS", "notes.md", "winget/x.yaml"):
        (folder / name).write_text(name)
    env, log = fake_gh(tmp_path, existing)
    proc = subprocess.run([str(ROOT / "scripts" / "publish-github.sh"), str(folder), "true", str(folder / "notes.md")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text().splitlines()
    files = " ".join(str(folder / n) for n in ("SUMS", "app.tar.gz", "notes.md"))  # top-level files only
    if existing:
        assert calls == ["release view v0.2.0", f"release upload v0.2.0 --clobber {files}"]
    else:
        assert calls == ["release view v0.2.0", f"release create v0.2.0 --title v0.2.0 --verify-tag --notes-file "
                         f"{folder / 'notes.md'} --prerelease {files}"]
