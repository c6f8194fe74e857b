"""Stages `sign-macos` and `notarize` of a macOS build: Developer ID signatures on every Mach-O file before
the archive is made (the order Windows follows, pkg/compile/sign.py), then Apple's notary service judges the
signed folder. Off unless the secrets are set; skipped with one line saying so. Without them Gatekeeper
warns users about a program from an unidentified developer.

Environment (GitHub secrets on the macOS runners):
  MACOS_SIGN_IDENTITY      "Developer ID Application: Name (TEAMID)"
  MACOS_CERT_P12_BASE64    that certificate and its key, a .p12, base64
  MACOS_CERT_PASSWORD      the .p12's password
  APPLE_API_KEY_BASE64, APPLE_API_KEY_ID, APPLE_API_ISSUER   an App Store Connect API key (.p8) for notarytool

Nothing secret reaches a command line: the .p12 is re-exported by openssl (password from the environment)
under a random one-run password into a throwaway keychain, and notarytool reads the API key from a file.
Which files are signed, in which order, and every command are decided here and tested on Linux with
synthesised Mach-O files; the tools themselves (security, codesign, ditto, xcrun) exist only on macOS.

A command-line program cannot carry a stapled ticket (only apps, disk images and installer packages can):
Gatekeeper looks the notarization up online. notarytool takes a zip, not a tar.gz, so the signed folder is
zipped for the submission; the archive users get holds the same signed files.
"""

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pkg.compile.context import BuildContext
from pkg.compile.portability import files, is_macho
from pkg.core import names, proc
from pkg.core.errors import InputError, PkgError
from pkg.core.proc import Step
from pkg.core.stage import Stage

SIGN_KEYS = ("MACOS_SIGN_IDENTITY", "MACOS_CERT_P12_BASE64", "MACOS_CERT_PASSWORD")
NOTARY_KEYS = ("APPLE_API_KEY_BASE64", "APPLE_API_KEY_ID", "APPLE_API_ISSUER")
KEYCHAIN = "pkg-signing.keychain-db"


def configured(env: Mapping[str, str], keys: tuple[str, ...]) -> bool:
    """All of `keys` set, none of them: off. Some but not all: a configuration error, said at once."""
    present = [k for k in keys if env.get(k, "").strip()]
    if present and len(present) < len(keys):
        missing = ", ".join(k for k in keys if k not in present)
        raise InputError(f"{', '.join(present)} set but not {missing}: set all of {', '.join(keys)} or none")
    return bool(present)


def to_sign(folder: Path) -> list[Path]:
    """Every Mach-O file (programs, .dylib, .so; links skipped: their targets are signed), deepest first, so
    nested code is signed before what loads it and the programs at the top come last."""
    found = [path for path in files(folder) if is_macho(path)]
    return sorted(found, key=lambda p: (-len(p.relative_to(folder).parts), p.as_posix()))


def keychain_steps(identity_p12: Path, work: Path, keychain_password: str) -> list[Step]:
    """A throwaway keychain holding the Developer ID certificate, searchable by codesign."""
    keychain, plain = str(work / KEYCHAIN), work / "identity.p12"
    local = {"PKG_KEYCHAIN_PASSWORD": keychain_password}
    return [
        # re-export under the one-run password: the user's password stays in the environment
        Step(["sh", "-c", 'openssl pkcs12 -in "$1" -passin env:MACOS_CERT_PASSWORD -nodes | openssl pkcs12 -export '
              '-out "$2" -passout env:PKG_KEYCHAIN_PASSWORD', "export", str(identity_p12), str(plain)], local),
        Step(["sh", "-c", 'security create-keychain -p "$PKG_KEYCHAIN_PASSWORD" "$1"', "create", keychain], local),
        Step(["security", "set-keychain-settings", "-lut", "3600", keychain], {}),
        Step(["sh", "-c", 'security unlock-keychain -p "$PKG_KEYCHAIN_PASSWORD" "$1" && security import "$2" -k "$1" '
              '-P "$PKG_KEYCHAIN_PASSWORD" -T /usr/bin/codesign && security set-key-partition-list -S '
              'apple-tool:,apple: -s -k "$PKG_KEYCHAIN_PASSWORD" "$1"', "import", keychain, str(plain)], local),
        Step(["sh", "-c", 'security list-keychains -d user -s "$1" $(security list-keychains -d user | tr -d \'"\')',
              "search", keychain], {}),
    ]


def codesign_step(identity: str, keychain: Path, paths: list[Path]) -> Step:
    """Hardened runtime (notarization requires it) and a secure timestamp (so it outlives the certificate)."""
    return Step(["codesign", "--force", "--options", "runtime", "--timestamp", "--keychain", str(keychain),
                 "--sign", identity, *map(str, paths)], {})


def verify_step(path: Path) -> Step:
    return Step(["codesign", "--verify", "--strict", "--verbose=2", str(path)], {})


def notarize_steps(folder: Path, zip_file: Path, key: Path, env: Mapping[str, str]) -> list[Step]:
    return [Step(["ditto", "-c", "-k", "--keepParent", str(folder), str(zip_file)], {}),
            Step(["xcrun", "notarytool", "submit", str(zip_file), "--key", str(key), "--key-id",
                  env["APPLE_API_KEY_ID"], "--issuer", env["APPLE_API_ISSUER"], "--wait", "--output-format",
                  "json"], {})]


def notary_verdict(output: str) -> str:
    """The submission's id when Apple accepted it; else PkgError naming the status and how to read the log."""
    try:
        result = json.loads(output)
    except json.JSONDecodeError:
        raise PkgError(f"notarytool gave no JSON result: {output.strip()[-200:]!r}") from None
    status, ident = result.get("status"), result.get("id", "?")
    if status != "Accepted":
        raise PkgError(f"notarization {status or 'failed'} (submission {ident}): "
                       f"`xcrun notarytool log {ident}` says why")
    return ident


def _run(step: Step) -> str:
    what = step.argv[0] if step.argv[0] != "sh" else step.argv[3]  # sh -c '…' <name>: the step's own name
    return step.run(what)


# --- the stages ------------------------------------------------------------------------------------

def skip_sign(ctx: BuildContext) -> str | None:
    if ctx.target.os != "macos":
        return "Developer ID signing is for macOS builds"
    if not configured(os.environ, SIGN_KEYS):
        return "MACOS_SIGN_IDENTITY is not set: the programs stay unsigned (Gatekeeper will warn users)"
    return None


def sign(ctx: BuildContext) -> None:
    paths = to_sign(ctx.built)
    with tempfile.TemporaryDirectory(prefix="macos-sign-") as tmp:
        work = Path(tmp)
        p12 = work / "given.p12"
        p12.write_bytes(base64.b64decode(os.environ["MACOS_CERT_P12_BASE64"]))
        keychain = work / KEYCHAIN
        try:
            for step in keychain_steps(p12, work, secrets.token_urlsafe(24)):
                _run(step)
            _run(codesign_step(os.environ["MACOS_SIGN_IDENTITY"], keychain, paths))
            for path in paths:
                _run(verify_step(path))
        finally:
            proc.answer(["security", "delete-keychain", keychain])  # gone already is fine
    print(f"signed {len(paths)} Mach-O file(s) in {ctx.built.name} (hardened runtime, timestamp) before archiving")


def skip_notarize(ctx: BuildContext) -> str | None:
    reason = skip_sign(ctx)
    if reason:
        return reason
    if not configured(os.environ, NOTARY_KEYS):
        return "APPLE_API_KEY_ID is not set: signed, not notarized"
    return None


def notarize(ctx: BuildContext) -> None:
    with tempfile.TemporaryDirectory(prefix="notarize-") as tmp:
        key = Path(tmp, "AuthKey.p8")
        key.write_bytes(base64.b64decode(os.environ["APPLE_API_KEY_BASE64"]))
        key.chmod(0o600)
        steps = notarize_steps(ctx.built, Path(tmp, ctx.built.name + names.ZIP), key, os.environ)
        _run(steps[0])
        ident = notary_verdict(_run(steps[1]))
    print(f"notarized {ctx.built.name} (submission {ident}, Accepted)")


SIGN = Stage("sign-macos", "macOS, with MACOS_SIGN_IDENTITY: every Mach-O signed (hardened runtime, timestamp) "
             "before archiving", sign, skip_sign)
NOTARIZE = Stage("notarize", "macOS, with an App Store Connect key: the signed folder judged by Apple "
                 "(notarytool --wait)", notarize, skip_notarize)
