"""Severity levels, loaded from the package data file data/levels.json through importlib.resources."""

import json
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Level:
    name: str
    rank: int
    color: str
    aliases: tuple[str, ...]


def load_levels() -> list[Level]:
    text = resources.files("tailor").joinpath("data", "levels.json").read_text(encoding="utf-8")
    return [
        Level(item["name"], int(item["rank"]), item["color"], tuple(item["aliases"]))
        for item in json.loads(text)["levels"]
    ]


class LevelMatcher:
    """Finds the first known level word in a log line (`ERROR:`, `[WARN]`, PostgreSQL's `LOG:` …)."""

    def __init__(self, levels: list[Level]):
        self.by_word = {word: lvl for lvl in levels for word in (lvl.name, *lvl.aliases)}
        words = sorted(self.by_word, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(words) + r")(?![A-Za-z0-9_])")

    def find(self, line: str) -> Level | None:
        match = self.pattern.search(line)
        return self.by_word[match.group(1)] if match else None

    def lookup(self, word: str) -> Level | None:
        return self.by_word.get(word.upper())
