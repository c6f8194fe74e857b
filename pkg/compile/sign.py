"""Authenticode signing, off unless a certificate is configured. Stage `sign` of the build signs every
program of a Windows build *before* it is archived, so the zip, the MSI harvested from it and the SBOM's
hashes all describe the same signed bytes; the MSI itself is signed after it is built (pkg/channels/msi.py).

Environment (the certificate never lives in the repository):
  SIGN_CERT           a .pfx/.p12 bundle, or a PEM certificate (chain) used with SIGN_KEY
  SIGN_KEY            PEM private key (only with a PEM SIGN_CERT)
  SIGN_PASSWORD       password of the .pfx/.p12 or of an encrypted SIGN_KEY
  SIGN_TIMESTAMP_URL  RFC 3161 timestamp server; unset means DEFAULT_TIMESTAMP_URL, empty means none

Tools: osslsigncode where it exists (Linux, macOS: here and in the release job), else signtool (the
Windows runner), which only signs from a certificate store: the bundle is imported for the run by
PowerShell and removed afterwards. The password never appears on a command line (argv is visible to
every user of the machine): osslsigncode reads it from a 0600 file, openssl and PowerShell from the
environment of their own process.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pkg.compile.context import BuildContext
from pkg.core import atomic, names, proc
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App
from pkg.core.proc import Step
from pkg.core.stage import Stage

DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
PKCS12_SUFFIXES = (".pfx", ".p12")
STORE = r"Cert:\CurrentUser\My"
POWERSHELL = ["powershell", "-NoProfile", "-NonInteractive", "-Command"]


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


OPENSSL_STACK = r"^[0-9A-F]+:error:"  # OpenSSL's error-stack lines: the first other line names the cause


# --- osslsigncode (Linux, macOS) -------------------------------------------------------------------

def osslsigncode_command(signer: Signer, path: Path, out: Path, password_file: Path | None) -> list[str]:
    cmd = ["osslsigncode", "sign", "-h", "sha256", "-n", signer.description, "-i", signer.url]
    cmd += ["-pkcs12", str(signer.cert)] if signer.pkcs12 else ["-certs", str(signer.cert), "-key", str(signer.key)]
    if signer.timestamp_url:
        cmd += ["-ts", signer.timestamp_url]
    if password_file is not None:
        cmd += ["-readpass", str(password_file)]
    return cmd + ["-in", str(path), "-out", str(out)]


def _osslsigncode(signer: Signer, files: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="sign-") as tmp:
        secret = None
        if signer.password:
            secret = Path(tmp, "pass")
            secret.touch(mode=0o600)
            secret.write_text(signer.password, encoding="utf-8")
        for path in files:
            with atomic.staged_file(path) as staged:
                staged.unlink()  # osslsigncode writes -out itself
                proc.tool(osslsigncode_command(signer, path, staged, secret), f"{path.name}: signing",
                          noise=OPENSSL_STACK, first=True)


# --- signtool (the Windows runner; no Windows here: tests check these commands, not their run) -------

def import_steps(signer: Signer, work: Path) -> list[Step]:
    """PEM → a throwaway .pfx (openssl), then the .pfx into the user's store; the last step prints the
    certificate's thumbprint."""
    steps, pfx = [], signer.cert
    secret = {"PKG_SIGN_PASSWORD": signer.password or ""}
    if not signer.pkcs12:
        pfx = work / "signer.pfx"
        argv = ["openssl", "pkcs12", "-export", "-in", str(signer.cert), "-inkey", str(signer.key), "-out", str(pfx),
                "-passout", "env:PKG_SIGN_PASSWORD"]
        steps.append(Step(argv + (["-passin", "env:PKG_SIGN_PASSWORD"] if signer.password else []), secret))
    steps.append(Step(POWERSHELL + ["$p = ConvertTo-SecureString $env:PKG_SIGN_PASSWORD -AsPlainText -Force; "
                                    f"(Import-PfxCertificate -FilePath $env:PKG_SIGN_PFX -CertStoreLocation {STORE} "
                                    "-Password $p).Thumbprint"], {**secret, "PKG_SIGN_PFX": str(pfx)}))
    return steps


def signtool_step(signer: Signer, files: list[Path], thumbprint: str) -> Step:
    argv = ["signtool", "sign", "/fd", "SHA256", "/sha1", thumbprint, "/s", "My", "/d", signer.description,
            "/du", signer.url]
    if signer.timestamp_url:
        argv += ["/tr", signer.timestamp_url, "/td", "SHA256"]
    return Step(argv + [str(f) for f in files], {})


def remove_step(thumbprint: str) -> Step:
    return Step(POWERSHELL + [f"Remove-Item -Path {STORE}\\$env:PKG_SIGN_THUMBPRINT"],
                {"PKG_SIGN_THUMBPRINT": thumbprint})


def _run_step(step: Step, what: str) -> str:
    return step.run(f"{step.argv[0]} {what}", noise=OPENSSL_STACK, first=True)


def _signtool(signer: Signer, files: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="sign-") as tmp:
        out = ""
        for step in import_steps(signer, Path(tmp)):
            out = _run_step(step, "preparing the certificate")
        thumbprint = out.strip().splitlines()[-1] if out.strip() else ""
        if not re.fullmatch(r"[0-9A-Fa-f]{40}", thumbprint):
            raise PkgError(f"importing {signer.cert.name} gave no certificate thumbprint")
        try:
            _run_step(signtool_step(signer, files, thumbprint), "signing")
        finally:
            proc.answer(remove_step(thumbprint).argv, env={**os.environ, **remove_step(thumbprint).env})


def sign_files(signer: Signer, files: list[Path]) -> None:
    """Sign .exe/.dll/.msi files in place with whichever signing tool this machine has."""
    if shutil.which("osslsigncode"):
        _osslsigncode(signer, files)
    elif shutil.which("signtool"):
        _signtool(signer, files)
    else:
        raise PkgError("no signing tool: osslsigncode (apt-get install osslsigncode) or signtool (Windows SDK)")


def sign_file(signer: Signer, path: Path) -> None:
    sign_files(signer, [path])


def programs(folder: Path) -> list[Path]:
    """What is signed in a Windows build: every program users run (.exe)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == names.exe_suffix("windows"))


def sign_tree(signer: Signer, folder: Path) -> list[Path]:
    exes = programs(folder)
    if exes:
        sign_files(signer, exes)
    return exes


# --- stage `sign` of the build ---------------------------------------------------------------------

def skip(ctx: BuildContext) -> str | None:
    if ctx.target.os != "windows":
        return "Authenticode is for Windows builds"
    if not os.environ.get("SIGN_CERT", "").strip():
        return "SIGN_CERT is not set: the programs stay unsigned"
    return None


def run(ctx: BuildContext) -> None:
    signed = sign_tree(from_env(ctx.app), ctx.built)
    print(f"signed {len(signed)} program(s) in {ctx.built.name} before archiving")


STAGE = Stage("sign", "Windows, with SIGN_CERT: every program signed before it is archived (and harvested)",
              run, skip)
