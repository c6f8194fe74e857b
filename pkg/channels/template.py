"""The one template mechanism for the generated files Ruby, sh and PowerShell have no emitter for
(pkg/channels/templates/): `@NAME@` placeholders, filled with values the caller has already quoted for the
target language; a placeholder left over is an error, never a broken file."""

import re
from pathlib import Path

from pkg.core.errors import PkgError

FOLDER = Path(__file__).resolve().parent / "templates"


def fill(template: str, values: dict[str, str]) -> str:
    text = (FOLDER / template).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise PkgError(f"templates/{template}: unfilled placeholder {left[0]}")
    return text
