"""Release notes grouping and the offline audit."""

import subprocess

import pytest

from pkg import audit, notes
from pkg.errors import PkgError


def test_grouping_by_conventional_type_and_leading_word():
    grouped = notes.group(["feat(cli): add --json", "fix: crash on empty file", "Add MSI support",
                           "Tests: more cases", "docs: readme", "perf!: faster start", "Refactor build"])
    assert grouped["Features"] == ["add --json", "Add MSI support"]
    assert grouped["Fixes"] == ["crash on empty file"]
    assert grouped["Documentation"] == ["readme"] and grouped["Performance"] == ["faster start"]
    assert grouped["Other changes"] == ["Tests: more cases", "Refactor build"]


def test_notes_since_previous_tag(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "feat: old thing")
    git("-c", "user.name=t", "-c", "user.email=t@e", "tag", "-a", "v0.1.0", "-m", "v0.1.0")
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "fix: new fix")
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
