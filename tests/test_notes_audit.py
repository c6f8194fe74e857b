"""Release notes grouping and the offline audit."""

import subprocess

import pytest

from pkg.core.errors import PkgError
from pkg.core.model import AuditStatus
from pkg.release import audit, notes


def commit_all(root, *subjects: str, tag: str | None = None) -> None:
    def git(*args):
        subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@e", *args], check=True,
                       capture_output=True)

    if not (root / ".git").exists():
        git("init", "-q")
    for subject in subjects:
        git("commit", "-q", "--allow-empty", "-m", subject)
    if tag:
        git("tag", "-a", tag, "-m", tag)


def test_git_cliff_groups_by_conventional_type_and_keeps_plain_subjects(tmp_path):
    commit_all(tmp_path, "feat(cli): add --json", "fix: crash on empty file", "Add MSI support", "docs: readme",
               "perf!: faster start", "ci: cache uv", "Refactor build", "README: install notes")
    text = notes.render(tmp_path, "mytool", "0.2.0", "v0.2.0", [])
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    assert list(sections) == ["Features", "Fixes", "Performance", "Documentation", "Maintenance", "Other changes"]
    assert "- add --json" in sections["Features"] and "- crash on empty file" in sections["Fixes"]
    assert "- Add MSI support" in sections["Other changes"] and "- Refactor build" in sections["Other changes"]
    assert "- README: install notes" in sections["Other changes"]  # a prefix that is no conventional type stays
    assert text.startswith("# mytool 0.2.0\n\nFirst release.")


def test_notes_since_previous_tag(tmp_path):
    commit_all(tmp_path, "feat: old thing", tag="v0.1.0")
    commit_all(tmp_path, "fix: new fix")
    text = notes.render(tmp_path, "tailor", "0.2.0", "v0.2.0", ["careful"])
    assert "Changes since v0.1.0." in text and "- new fix" in text and "old thing" not in text
    assert text.rstrip().endswith("- careful")


def test_audit_offline_says_not_scanned(capsys):
    # No vulnerability service is reachable from this machine (PyPI's JSON API and OSV are not).
    result = audit.scan({"click": "8.5.1"}, timeout=60)
    assert result.status is AuditStatus.NOT_SCANNED and result.summary
    audit.enforce(result, required=False)  # exit 0 offline…
    assert "not scanned" in capsys.readouterr().out
    with pytest.raises(PkgError, match="AUDIT=required but not scanned"):  # …unless required
        audit.enforce(result, required=True)


def test_audit_reports_vulnerabilities():
    result = audit.AuditResult(AuditStatus.VULNERABLE, "1 of 1 scanned", ["x 1.0: PYSEC-1 (fixed in 1.1)"])
    with pytest.raises(PkgError, match="known vulnerabilities"):
        audit.enforce(result, required=False)
    assert audit.scan({}).status is AuditStatus.CLEAN


def commit_file(root, path: str, subject: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(subject + "\n")
    subprocess.run(["git", "-C", str(root), "add", path], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", subject],
                   check=True)


def test_a_packaging_repository_lists_the_apps_commits_never_the_pipelines(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    commit_file(tmp_path, "pkg/pipeline.py", "README: clean-clone figures")  # the pipeline's own history
    commit_file(tmp_path, "app/cli.py", "feat: add --json")
    commit_file(tmp_path, "Makefile", "Stage share")
    commit_file(tmp_path, "app/core.py", "fix: empty input")
    text = notes.render(tmp_path, "mytool", "0.2.0", "v0.2.0", [], project=tmp_path / "app")
    assert "First release; the changes to app/ in this repository's history:" in text
    assert "- add --json" in text and "- empty input" in text
    assert "clean-clone" not in text and "Stage share" not in text
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@e", "tag", "-a", "v0.2.0",
                    "-m", "v0.2.0"], check=True)
    commit_file(tmp_path, "app/cli.py", "fix: later fix")
    commit_file(tmp_path, "pkg/x.py", "Pipeline work")
    text = notes.render(tmp_path, "mytool", "0.3.0", "v0.3.0", [], project=tmp_path / "app")
    assert "Changes to app/ since v0.2.0." in text and "- later fix" in text and "Pipeline work" not in text


def test_a_first_release_lists_the_apps_history_in_the_folder_never_the_example_it_replaced(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    commit_file(tmp_path, "app/pyproject.toml", "Foundation: example app")  # not TOML yet: no name
    (tmp_path / "app" / "pyproject.toml").write_text('[project]\nname = "tailor"\n')
    subprocess.run(["git", "-C", str(tmp_path), "add", "app"], check=True)
    commit_file(tmp_path, "app/tailor/cli.py", "Any project by configuration")
    subprocess.run(["git", "-C", str(tmp_path), "rm", "-rq", "app"], check=True)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "setup.cfg").write_text("[metadata]\nname = My_Tool\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "app"], check=True)
    commit_file(tmp_path, "app/my_tool/cli.py", "feat: the app, adopted")
    commit_file(tmp_path, "app/my_tool/core.py", "fix: empty input")
    text = notes.render(tmp_path, "mytool", "0.2.0", "v0.2.0", [], project=tmp_path / "app", dist="my-tool")
    assert "First release; the changes to app/ in this repository's history since my-tool entered it:" in text
    assert "- the app, adopted" in text and "- empty input" in text
    assert "Foundation" not in text and "Any project" not in text


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("CHANGELOG.md", "# Changelog\n\n## 1.3.0 (2026-01-02)\n\n### Fixes\n\n* newer\n\n## 1.2.0 (2025-12-01)\n\n"
     "### Features\n\n* the 1.2.0 feature\n\n## 1.1.0\n\n* old\n", "### Features\n\n* the 1.2.0 feature"),
    ("HISTORY.rst", "History\n=======\n\nRelease 1.2.1\n-------------\n\n* not this\n\nRelease 1.2.0 (2025-12-01)\n"
     "--------------------------\n\n* the 1.2.0 fix\n\nRelease 1.1.0\n-------------\n\n* old\n", "* the 1.2.0 fix"),
    ("CHANGELOG.md", "# Changes\n\n## 20261018 v1.2.1\n\n- newer\n\n## 20261001 v1.2.0\n\n- the dated one\n\n"
     "## 20260901 v1.1.0\n\n- old\n", "- the dated one"),
])
def test_the_apps_own_changelog_section_is_the_notes(tmp_path, name, text, expected):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    commit_file(tmp_path, "app/cli.py", "feat: a commit the changelog supersedes")
    (tmp_path / "app" / name).write_text(text)
    notes_text = notes.render(tmp_path, "mytool", "1.2.0", "v1.2.0", ["careful"], project=tmp_path / "app")
    assert notes_text.startswith(f"# mytool 1.2.0\n\nFrom the project's {name}:\n\n{expected}\n")
    assert "supersedes" not in notes_text and "old" not in notes_text and "newer" not in notes_text
    assert notes.own_changelog(tmp_path / "app", "1.2") is None  # a version is a whole word: 1.2 is not 1.2.0
