"""`make sign-release`: a keyless Sigstore signature of the release's SHA256SUMS, made in the release job
after `make release` and before publishing (.github/workflows/release.yml; the build-provenance attestation
of every file SHA256SUMS lists is GitHub's own action in the same job).

Keyless: the certificate is issued for the workflow's own OIDC identity (`id-token: write`), so nothing
secret is stored; one signature covers every file, because SHA256SUMS lists them all. Outside GitHub
Actions it needs SIGSTORE_IDENTITY_TOKEN (never on a command line) and refuses rather than open a browser.

Users verify with the two commands verify_commands() prints (README, and the release notes' tail).
"""

import os
from collections.abc import Mapping
from pathlib import Path

from pkg.core import atomic, names, proc
from pkg.core.config import Config
from pkg.core.errors import InputError
from pkg.core.version import Version

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
WORKFLOW = ".github/workflows/release.yml"


def sigstore() -> str:
    return proc.pinned_tool("sigstore")


def identity(env: Mapping[str, str]) -> str:
    """Where the OIDC identity comes from, or InputError."""
    if env.get("GITHUB_ACTIONS") == "true" and env.get("ACTIONS_ID_TOKEN_REQUEST_URL"):
        return "GitHub Actions (id-token: write)"
    if env.get("SIGSTORE_IDENTITY_TOKEN"):
        return "SIGSTORE_IDENTITY_TOKEN"
    raise InputError("keyless signing needs an OIDC identity: run in GitHub Actions with `id-token: write` "
                     "(or set SIGSTORE_IDENTITY_TOKEN)")


def sign_command(sums: Path, bundle: Path) -> list[str]:
    return [sigstore(), "sign", "--bundle", str(bundle), "--overwrite", str(sums)]


def sign(folder: Path, env: Mapping[str, str] | None = None) -> Path:
    """<folder>/SHA256SUMS.sigstore.json, staged then renamed (a failed signing leaves none)."""
    env = os.environ if env is None else env
    sums = folder / names.SUMS
    if not sums.is_file():
        raise InputError(f"{sums}: no such file (run `make release VERSION=…` first)")
    source = identity(env)
    final = folder / names.sums_bundle()
    with atomic.staged_file(final) as staged:
        proc.tool(sign_command(sums, staged), "sigstore sign", env=dict(env))
    print(f"signed {sums.name} keylessly ({source}) → {final}")
    return final


def verify_commands(cfg: Config, version: Version, file: str) -> list[str]:
    """What a user runs to check a downloaded `file` (GitHub-hosted releases)."""
    repo = cfg.github_repo or "<owner>/<repo>"
    identity_url = f"https://github.com/{repo}/{WORKFLOW}@refs/tags/{version.tag}"
    return [f"gh attestation verify {file} --repo {repo}",
            f"python -m sigstore verify identity --bundle {names.sums_bundle()} --cert-identity {identity_url} "
            f"--cert-oidc-issuer {GITHUB_ISSUER} {names.SUMS} && sha256sum -c --ignore-missing {names.SUMS}"]
