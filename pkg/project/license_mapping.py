"""The app's license as each consumer needs it. The source of truth is an SPDX expression (canonicalised by
`packaging.licenses`); failing one, the license name the project declares. Mapped, never guessed:
  Homebrew  `license "MIT"`, `license any_of: [...]`, `all_of: [...]`, `"X" => { with: "Y" }`;
            no SPDX expression → `license :cannot_represent`
  Scoop     `MIT`, AND → `A,B`, OR → `A|B` (its documented separators); nested AND/OR it cannot express
  winget    free text: the expression, or the declared name
  CycloneDX the expression, or the declared name (cyclonedx-python-lib decides which field)
"""

import re

from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol, get_spdx_licensing

from pkg.core.errors import InputError
from pkg.core.model import License
from pkg.core.spdx import canonical

# Trove classifiers that name exactly one SPDX license (the ambiguous ones, "BSD License", are absent).
CLASSIFIERS = {
    "MIT License": "MIT", "MIT No Attribution License (MIT-0)": "MIT-0", "ISC License (ISCL)": "ISC",
    "Apache Software License": "Apache-2.0", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Affero General Public License v3": "AGPL-3.0-only", "The Unlicense (Unlicense)": "Unlicense",
    "Python Software Foundation License": "PSF-2.0", "Zope Public License": "ZPL-2.1",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0", "zlib/libpng License": "Zlib",
}


# What free-text license names usually mean (normalised: lower case, no "license"/"the"/"version"/punctuation).
# Only a suggestion in the error that asks for tool.pkg.license: a name is never turned into an id silently.
LIKELY = [
    (r"(new |modified |revised )?bsd( 3 clause| three clause)?|3 clause bsd|bsd new", "BSD-3-Clause"),
    (r"(simplified |free)?bsd( 2 clause)?|2 clause bsd", "BSD-2-Clause"),
    (r"mit( x11)?|expat|x11", "MIT"), (r"isc", "ISC"), (r"apache( software)?( 2(\.0)?)?|asl 2(\.0)?", "Apache-2.0"),
    (r"(gnu )?gpl ?v?2\+|gpl 2(\.0)? or later", "GPL-2.0-or-later"), (r"(gnu )?gpl ?v?2(\.0)?", "GPL-2.0-only"),
    (r"(gnu )?gpl ?v?3\+|gpl 3(\.0)? or later", "GPL-3.0-or-later"), (r"(gnu )?gpl( ?v?3(\.0)?)?", "GPL-3.0-only"),
    (r"(gnu )?lgpl ?v?2(\.1)?\+?", "LGPL-2.1-or-later"), (r"(gnu )?lgpl( ?v?3(\.0)?)?\+?", "LGPL-3.0-or-later"),
    (r"(gnu )?agpl( ?v?3(\.0)?)?\+?", "AGPL-3.0-or-later"), (r"mpl ?2(\.0)?|mozilla public 2(\.0)?", "MPL-2.0"),
    (r"psf|python software foundation|python", "PSF-2.0"), (r"unlicense", "Unlicense"),
    (r"public domain", "LicenseRef-Public-Domain"), (r"zlib", "Zlib"),
]


def likely(name: str) -> str | None:
    """The SPDX id a free-text license name most likely means ("BSD" → BSD-3-Clause), or None."""
    text = re.sub(r"[^a-z0-9.+]+", " ", name.lower())
    text = " ".join(w for w in text.split() if w not in ("license", "license", "the", "version", "v"))
    return next((spdx for pattern, spdx in LIKELY if re.fullmatch(pattern, text)), None)


def require_spdx(license: License) -> None:
    """A license the project names but not as SPDX is a one-line error naming the likely id: Homebrew would
    write `:cannot_represent`, and scanners cannot match a free-text name."""
    if license.spdx is None and license.name:
        guess = likely(license.name)
        hint = f'tool.pkg.license = "{guess}" if that is it' if guess else 'tool.pkg.license = "<SPDX expression>"'
        raise InputError(f"the license {license.name!r} is not an SPDX expression (package managers and SBOM "
                         f"scanners need one): set {hint}")


def resolve(expression: str | None, declared: str | None, classifiers: tuple[str, ...] = (),
            override: str | None = None) -> License:
    """Override (tool.pkg.license) > License-Expression > a License field that is SPDX > one license
    classifier > the License field as a name (one short line only: a whole license text is no name)."""
    for candidate in (override, expression, declared):
        if spdx := canonical(candidate):
            return License(spdx=spdx)
    named = sorted({CLASSIFIERS[c.rsplit(" :: ", 1)[-1]] for c in classifiers
                    if c.startswith("License ::") and c.rsplit(" :: ", 1)[-1] in CLASSIFIERS})
    if len(named) == 1:
        return License(spdx=named[0])
    short = (declared or "").strip()
    return License(name=short if short and "\n" not in short and len(short) <= 60 else None)


def _tree(spdx: str):
    return get_spdx_licensing().parse(spdx, validate=False, simple=False)


def _ruby(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def homebrew(license: License) -> str:
    """The argument of the formula's `license` line."""
    if license.spdx is None or "LicenseRef-" in license.spdx:
        return ":cannot_represent"

    def render(node, nested: bool) -> str:
        if isinstance(node, LicenseWithExceptionSymbol):
            text = f"{_ruby(node.license_symbol.key)} => {{ with: {_ruby(node.exception_symbol.key)} }}"
            return f"{{ {text} }}" if nested else text
        if isinstance(node, LicenseSymbol):
            return _ruby(node.key)
        word = "all_of" if isinstance(node, AND) else "any_of"
        text = f"{word}: [{', '.join(render(arg, True) for arg in node.args)}]"
        return f"{{ {text} }}" if nested else text

    return render(_tree(license.spdx), False)


def scoop(license: License) -> str:
    """Scoop's license string; "Unknown" (one of its documented words) without an SPDX expression."""
    if license.spdx is None:
        return "Unknown"
    node = _tree(license.spdx)
    if isinstance(node, AND | OR):
        if any(isinstance(arg, AND | OR) for arg in node.args):
            raise InputError(f"license {license.spdx!r}: Scoop cannot express nested AND/OR "
                             "(set tool.pkg.license to a flat expression)")
        return ("," if isinstance(node, AND) else "|").join(str(arg) for arg in node.args)
    return str(node)


def winget(license: License) -> str:
    text = license.spdx or license.name
    if not text or len(text) < 3:
        raise InputError(f"license {text!r}: winget needs a license of at least 3 characters "
                         "(set the project's license or tool.pkg.license)")
    return text
