"""Release versions: PEP 440 as `packaging` reads it, narrowed to one convention, and how it maps to each
consumer.

Accepted: `X.Y.Z` or `X.Y` (stable: docutils 0.23 is a real app's) and the same with `{a|b|rc}N` (pre-release,
e.g. 0.2.0rc1), written in PEP 440's normal form (0.2.0-rc.1, 1, 1.2.3.4, 1.2.3.post1, 1.2.3.dev0, 1!1.2.3,
1.2.3+local are refused: each maps ambiguously to an MSI, a tag or a package manager). The tag prefix (`v`,
or "" for a project whose tags have none: tool.pkg.tag-prefix) is stripped, as in a tag `v0.2.0`; nothing else is.
  tag        <prefix><version>                v0.2.0rc1 (or 0.2.0rc1)
  project    <version>                        0.2.0rc1
  MSI        X.Y.Z, pre-release dropped,      0.2.0, 0.23 -> 0.23.0   (ProductVersion ≤ 255.255.65535)
  winget     <version>                        not published for pre-releases
  Homebrew   <version>                        not published for pre-releases
  Scoop      <version>                        not published for pre-releases
"""

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion
from packaging.version import Version as Pep440

from pkg.core.errors import InputError

MSI_LIMITS = (255, 255, 65535)
WANT = "X.Y.Z or X.Y, optionally followed by {a|b|rc}N, e.g. 0.2.0, 0.23 or 0.2.0rc1"

TAG_PREFIX = "v"  # release tags are v<version> by default: git, the workflow trigger, notes, the download URLs
TAG_PREFIXES = (TAG_PREFIX, "")  # the conventions a project may have (tool.pkg.tag-prefix)


def tag_glob(prefix: str) -> str:
    """The pattern of release tags, as the release workflow's trigger and `git tag --list` read it."""
    return f"{prefix}[0-9]*"


@dataclass(frozen=True)
class Version:
    parsed: Pep440
    prefix: str = TAG_PREFIX

    def __str__(self) -> str:
        return str(self.parsed)

    @property
    def prerelease(self) -> bool:
        return self.parsed.is_prerelease

    @property
    def tag(self) -> str:
        return f"{self.prefix}{self}"

    @property
    def msi(self) -> str:
        return ".".join(str(part) for part in (*self.parsed.release, 0)[:3])

    @property
    def distro(self) -> str:
        """The version inside a .deb and an .rpm: 0.2.0rc1 -> 0.2.0~rc1 (`~` sorts before anything, so in
        dpkg and rpm alike a pre-release sorts before its release)."""
        pre = "".join(map(str, self.parsed.pre)) if self.parsed.pre else ""
        return self.parsed.base_version + (f"~{pre}" if pre else "")


def parse(text: str, prefix: str = TAG_PREFIX) -> Version:
    """Parse a release VERSION (or a tag: `prefix` is stripped) or raise InputError (exit 2) with a one-line
    reason."""
    raw = text.removeprefix(prefix) if prefix else text
    if not raw:
        raise InputError(f"VERSION is empty (want {WANT})")
    try:
        parsed = Pep440(raw)
    except InvalidVersion:
        raise InputError(f"VERSION {text!r} is not a version (want {WANT})") from None
    if str(parsed) != raw or len(parsed.release) not in (2, 3) or parsed.epoch or parsed.post is not None \
            or parsed.dev is not None or parsed.local is not None:
        raise InputError(f"VERSION {text!r} is not {WANT}")
    for value, limit, part in zip(parsed.release, MSI_LIMITS, ("major", "minor", "patch"), strict=False):
        if value > limit:
            raise InputError(f"VERSION {text!r}: {part} {value} exceeds the MSI limit {limit} (255.255.65535)")
    return Version(parsed, prefix)


def carries_version(text: str, version: str) -> bool:
    """VERSION as a whole token: not 1.2.30 or 11.2.3 for 1.2.3; a leading v and trailing punctuation are fine."""
    tokens = re.split(r"[\s,;:()\[\]{}'\"=/]+", text)
    return any(re.sub(r"^[vV]", "", token).rstrip(".!") == version for token in tokens)
