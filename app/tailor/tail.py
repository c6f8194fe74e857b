"""Reading the last lines of a log, filtering them by level, and following the file as it grows."""

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from tailor.levels import Level, LevelMatcher


def classify(lines: Iterable[str], matcher: LevelMatcher) -> Iterator[tuple[str, Level | None]]:
    """Pair each line with its level; lines without one (tracebacks, continuations) inherit the last."""
    current: Level | None = None
    for line in lines:
        found = matcher.find(line)
        if found is not None:
            current = found
        yield line, current


def last_lines(path: str, matcher: LevelMatcher, min_rank: int, count: int) -> list[tuple[str, Level | None]]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        kept = ((line, lvl) for line, lvl in classify(handle, matcher) if _passes(lvl, min_rank))
        return list(deque(kept, maxlen=count)) if count > 0 else []


def _passes(level: Level | None, min_rank: int) -> bool:
    return min_rank <= 0 or (level is not None and level.rank >= min_rank)


def follow(
    path: str,
    matcher: LevelMatcher,
    min_rank: int,
    emit: Callable[[str, Level | None], None],
    identity: Callable[[str], object],
    keep_going: Callable[[], bool],
    interval: float = 0.25,
) -> None:
    """Print lines appended to `path`; reopen it when rotated or truncated (like `tail -F`)."""
    handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 - reopened on rotation
    handle.seek(0, os.SEEK_END)
    ident, current = identity(path), None
    try:
        while keep_going():
            line = handle.readline()
            if line:
                found = matcher.find(line)
                current = found or current
                if _passes(current, min_rank):
                    emit(line, current)
                continue
            time.sleep(interval)
            try:
                rotated = identity(path) != ident or os.path.getsize(path) < handle.tell()
            except FileNotFoundError:
                continue
            if rotated:
                handle.close()
                handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
                ident = identity(path)
    finally:
        handle.close()
