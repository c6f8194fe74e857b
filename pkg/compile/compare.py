"""Comparing two runs of the same checks: the compiled program's with the pip-installed app's (build-test), or
two runs of the pip-installed app (stage `prove`: what changes between runs). Each install's own paths are
replaced by placeholders, a traceback's frames and a warning's quoted source line folded (from sources the
compiled program does not carry), and a help screen's rewrapping of a path forgiven."""

import itertools
import re

from pkg.compile import share
from pkg.compile.running import Checker

WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")  # warnings' format: path:line: Category: message


def normalise(text: str, swaps: dict[str, str]) -> str:
    for literal, placeholder in sorted(swaps.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(literal, placeholder)
    return text


def sources_folded(text: str) -> str:
    """A traceback's frames folded to one placeholder, and the source line CPython quotes under a warning
    dropped: both come from .py files the compiled program does not carry (and its entry is the pipeline's
    launcher, not pip's script), so what is compared is the exception, its message and the exit code."""
    out, frames, quoted = [], False, False
    for line in text.splitlines(keepends=True):
        if line.rstrip("\r\n") == "Traceback (most recent call last):":
            out += [line, "  <frames>\n"]
            frames = True
        elif (frames or quoted) and line.startswith((" ", "\t")):
            quoted = False
        else:
            frames, quoted = False, bool(WARNING.match(line))
            out.append(line)
    return "".join(out)


def rewrapped(a: str, b: str, theirs: dict[str, str], ours: dict[str, str]) -> bool:
    """Equal but for where lines break, when a path of the program's own appears in the text: help screens
    wrap it (at spaces and hyphens) by its length, which differs between the two installs."""
    def squeeze(text: str) -> str:
        return re.sub(r"\s+", "", text)

    paths = [k for k in theirs if "/" in k or "\\" in k]
    if not any(squeeze(p) in squeeze(a) for p in paths):
        return False
    return normalise(squeeze(a), {squeeze(k): v for k, v in theirs.items()}) == \
        normalise(squeeze(b), {squeeze(k): v for k, v in ours.items()})


def unequal(first: Checker, second: Checker) -> list[tuple[str, str, int, str, str]]:
    """The checks marked `same` whose results differ between two runs (the second's `skip` checks left out):
    (check, field, line number, first's line, second's line), each install's own paths normalised."""
    found = []
    compared = [entry for entry in second.transcript if entry[2] != "skip"]
    for (what, want, mode), (_, got, _) in zip(first.transcript, compared, strict=True):
        if mode != "same":
            continue
        command = want.args[0]
        theirs, ours = first.swaps(command), second.swaps(command)
        for field in ("returncode", "stdout", "stderr"):
            raw_a, raw_b = (str(getattr(want, field)), str(getattr(got, field)))
            a, b = sources_folded(normalise(raw_a, theirs)), sources_folded(normalise(raw_b, ours))
            if a != b and not rewrapped(raw_a, raw_b, theirs, ours):
                pairs = itertools.zip_longest(a.splitlines(), b.splitlines(), fillvalue="")
                line, (x, y) = next((i, p) for i, p in enumerate(pairs) if p[0] != p[1]) if a.splitlines() != \
                    b.splitlines() else (0, (a, b))
                found.append((what, field, line + 1, x, y))
    return found


def differences(reference: Checker, compiled: Checker) -> list[str]:
    """Where the compiled program's results differ from the pip-installed app's (checks marked `same`; those
    marked `skip` ran on the compiled program only)."""
    return [f"{what}: {field} differs from the pip-installed app's (line {line}: pip-installed {x[:120]!r}, "
            f"compiled {y[:120]!r})" for what, field, line, x, y in unequal(reference, compiled)]


def crashed(reference: Checker, compiled: Checker) -> str:
    """When the compiled program raises where the pip-installed app passed: the exception, and that this is the
    build differing from pip's, not a declaration to add ("" otherwise)."""
    passed = {what for what, _, _ in reference.transcript} - set(reference.failures)
    for what, out, _ in compiled.transcript:
        if what in compiled.failures and what in passed and "Traceback (most recent call last)" in out.stderr:
            return (f" — the compiled program raises {share.last_line(out.stderr)!r} in {what!r}, where the "
                    "pip-installed app passes: the compiled program differs from pip's (a build problem to report, "
                    "not a declaration to add)")
    return ""
