"""Shared fixtures. The real Nuitka build runs once per session (`built` fixture) and is reused."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_pkg(*args: str, cwd: Path = ROOT, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m pkg …` as the Makefile does."""
    return subprocess.run([sys.executable, "-m", "pkg", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=check)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A real Nuitka standalone build of the example app in a fresh dist/ (work dir shared for caching)."""
    dist = tmp_path_factory.mktemp("dist with space")
    proc = subprocess.run([sys.executable, "-m", "pkg", "build", "--dist", str(dist)], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return dist
