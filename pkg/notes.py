"""Release notes from git history since the previous `v*` tag, grouped by the commit subject's kind."""

import re
import subprocess
from pathlib import Path

GROUPS = [  # (heading, conventional-commit types, leading words) in the order shown
    ("Features", ("feat",), ("add", "new", "support", "introduce")),
    ("Fixes", ("fix",), ("fix", "repair", "correct")),
    ("Performance", ("perf",), ("speed", "faster", "perf")),
    ("Documentation", ("docs",), ("doc", "readme")),
    ("Other changes", (), ()),
]
CONVENTIONAL = re.compile(r"^(feat|fix|perf|docs|refactor|test|build|ci|chore|style|revert)(\([^)]*\))?!?:\s*(.+)$",
                          re.IGNORECASE)


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else ""


def previous_tag(root: Path, tag: str) -> str | None:
    tags = [t for t in _git(root, "tag", "--list", "v*", "--sort=-v:refname").split() if t != tag]
    for candidate in tags:
        ancestor = ["git", "-C", str(root), "merge-base", "--is-ancestor", candidate, "HEAD"]
        if subprocess.run(ancestor, capture_output=True).returncode == 0:
            return candidate
    return None


def group(subjects: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {heading: [] for heading, _, _ in GROUPS}
    for subject in subjects:
        match = CONVENTIONAL.match(subject)
        kind, text = (match.group(1).lower(), match.group(3)) if match else ("", subject)
        first = text.split()[0].lower() if text.split() else ""
        for heading, types, words in GROUPS:
            if kind in types or (not match and first.startswith(words)) or not (types or words):
                grouped[heading].append(text)
                break
    return {k: v for k, v in grouped.items() if v}


def render(root: Path, app: str, version: str, tag: str, warnings: list[str]) -> str:
    since = previous_tag(root, tag)
    log = _git(root, "log", "--no-merges", "--format=%s", f"{since}..HEAD" if since else "HEAD")
    lines = [f"# {app} {version}", ""]
    lines.append(f"Changes since {since}." if since else "First release.")
    for heading, items in group([s for s in log.splitlines() if s.strip()]).items():
        lines += ["", f"## {heading}", ""] + [f"- {item}" for item in items]
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"
