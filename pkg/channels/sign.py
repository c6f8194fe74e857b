"""Optional Authenticode signing with osslsigncode (Linux); off unless a certificate is configured.

Environment (the certificate never lives in the repository):
  SIGN_CERT           a .pfx/.p12 bundle, or a PEM certificate (chain) used with SIGN_KEY
  SIGN_KEY            PEM private key (only with a PEM SIGN_CERT)
  SIGN_PASSWORD       password of the .pfx/.p12 or of an encrypted SIGN_KEY
  SIGN_TIMESTAMP_URL  RFC 3161 timestamp server; unset means DEFAULT_TIMESTAMP_URL, empty means none
On Windows, scripts/msi.ps1 signs with signtool using the same variables.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pkg.core import atomic, names
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App

DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
PKCS12_SUFFIXES = (".pfx", ".p12")


@dataclass(frozen=True)
class Signer:
    cert: Path
    key: Path | None
    password: str | None
    timestamp_url: str | None
    description: str  # shown by Windows in the signature's details
    url: str

    @property
    def pkcs12(self) -> bool:
        return self.cert.suffix.lower() in PKCS12_SUFFIXES


def timestamp_url(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("SIGN_TIMESTAMP_URL", DEFAULT_TIMESTAMP_URL).strip() or None


def from_env(app: App, env: Mapping[str, str] | None = None) -> Signer | None:
    """The configured signer, or None (unsigned, the default) when SIGN_CERT is unset or empty."""
    env = os.environ if env is None else env
    if not env.get("SIGN_CERT", "").strip():
        return None
    cert = Path(env["SIGN_CERT"].strip())
    key = Path(env["SIGN_KEY"].strip()) if env.get("SIGN_KEY", "").strip() else None
    if not cert.is_file():
        raise InputError(f"SIGN_CERT {cert}: no such file")
    if cert.suffix.lower() in PKCS12_SUFFIXES:
        if key is not None:
            raise InputError(f"SIGN_KEY is for a PEM SIGN_CERT; {cert.name} already holds its key")
    elif key is None:
        raise InputError(f"SIGN_CERT {cert.name} is not .pfx/.p12, so SIGN_KEY (PEM private key) is needed")
    elif not key.is_file():
        raise InputError(f"SIGN_KEY {key}: no such file")
    return Signer(cert, key, env.get("SIGN_PASSWORD") or None, timestamp_url(env), app.name, app.homepage)


def sign_file(signer: Signer, path: Path) -> None:
    """Sign an .exe/.dll/.msi in place (stage, then rename)."""
    if shutil.which("osslsigncode") is None:
        raise PkgError("osslsigncode not found (apt-get install osslsigncode)")
    cmd = ["osslsigncode", "sign", "-h", "sha256", "-n", signer.description, "-i", signer.url]
    if signer.pkcs12:
        cmd += ["-pkcs12", str(signer.cert)]
    else:
        cmd += ["-certs", str(signer.cert), "-key", str(signer.key)]
    if signer.timestamp_url:
        cmd += ["-ts", signer.timestamp_url]
    with tempfile.TemporaryDirectory(prefix="sign-") as tmp, atomic.staged_file(path) as staged:
        if signer.password:  # a file, not argv: argv is visible to every user of the machine
            secret = Path(tmp, "pass")
            secret.touch(mode=0o600)
            secret.write_text(signer.password, encoding="utf-8")
            cmd += ["-readpass", str(secret)]
        staged.unlink()  # osslsigncode writes -out itself
        done = subprocess.run(cmd + ["-in", str(path), "-out", str(staged)], capture_output=True, text=True)
        if done.returncode != 0:
            # The first stderr line names the cause; OpenSSL's error-stack lines follow it.
            lines = [ln for ln in done.stderr.splitlines()
                     if ln.strip() and not re.match(r"[0-9A-F]+:error:", ln)]
            raise PkgError(f"{path.name}: signing failed: {lines[0] if lines else 'osslsigncode failed'}")


def sign_tree(signer: Signer, folder: Path) -> list[Path]:
    """Sign every .exe below `folder` (the program users run); returns what was signed."""
    exes = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == names.exe_suffix("windows"))
    for exe in exes:
        sign_file(signer, exe)
    return exes
