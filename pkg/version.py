"""Release versions: one convention, PEP 440, and how it maps to each consumer.

Accepted: `X.Y.Z` (stable) and `X.Y.Z{a|b|rc}N` (pre-release, e.g. 0.2.0rc1); no leading zeros.
A leading `v` (as in a tag `v0.2.0`) is stripped; nothing else is: `1.2.3 ` is refused.
  tag        v<version>                       v0.2.0rc1
  pyproject  <version>                        0.2.0rc1
  MSI        X.Y.Z, pre-release dropped,      0.2.0   (ProductVersion ≤ 255.255.65535)
  winget     <version>                        not published for pre-releases
  Homebrew   from the URL; no `version` line  not published for pre-releases
  Scoop      <version>                        not published for pre-releases
"""

import re
from dataclasses import dataclass

from pkg.errors import InputError

PATTERN = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:(a|b|rc)(0|[1-9]\d*))?")
MSI_LIMITS = (255, 255, 65535)


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str | None = None  # "rc1", "a2", …

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}{self.pre or ''}"

    @property
    def prerelease(self) -> bool:
        return self.pre is not None

    @property
    def tag(self) -> str:
        return f"v{self}"

    @property
    def msi(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse(text: str) -> Version:
    """Parse a release VERSION or raise InputError (exit 2) with a one-line reason."""
    raw = text[1:] if text.startswith("v") else text
    if not raw:
        raise InputError("VERSION is empty (want X.Y.Z or X.Y.ZrcN, e.g. 0.2.0 or 0.2.0rc1)")
    match = PATTERN.fullmatch(raw)
    if match is None:
        raise InputError(f"VERSION {text!r} is not X.Y.Z or X.Y.Z{{a|b|rc}}N (e.g. 0.2.0, 0.2.0rc1)")
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    for value, limit, part in zip((major, minor, patch), MSI_LIMITS, ("major", "minor", "patch"), strict=True):
        if value > limit:
            raise InputError(f"VERSION {text!r}: {part} {value} exceeds the MSI limit {limit} (255.255.65535)")
    pre = f"{match.group(4)}{match.group(5)}" if match.group(4) else None
    return Version(major, minor, patch, pre)
