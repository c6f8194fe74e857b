"""SPDX license expressions, canonical as packaging (PEP 639) spells them: config validates tool.pkg.license
with it, pkg/project/license_mapping.py resolves the app's license with it."""

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression


def canonical(text: str | None) -> str | None:
    """The canonical SPDX expression for `text`, or None when it is not one."""
    if not text or "\n" in text.strip():
        return None
    try:
        return str(canonicalize_license_expression(text.strip()))
    except InvalidLicenseExpression:
        return None
