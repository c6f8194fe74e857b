"""Release notes grouping and the offline audit."""

import subprocess

import pytest

from pkg.core.errors import PkgError
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
    assert result.status == "not scanned" and result.summary
    audit.enforce(result, required=False)  # exit 0 offline…
    assert "not scanned" in capsys.readouterr().out
    with pytest.raises(PkgError, match="AUDIT=required but not scanned"):  # …unless required
        audit.enforce(result, required=True)


def test_audit_reports_vulnerabilities():
    result = audit.AuditResult("vulnerable", "1 of 1 scanned", ["x 1.0: PYSEC-1 (fixed in 1.1)"])
    with pytest.raises(PkgError, match="known vulnerabilities"):
        audit.enforce(result, required=False)
    assert audit.scan({}).status == "clean"
