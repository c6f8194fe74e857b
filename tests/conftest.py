"""Shared fixtures. The real Nuitka build runs once per session (`built` fixture) and is reused."""

import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# The release checks live in helper modules: rewrite their asserts too, so a failure shows the values it compared.
pytest.register_assert_rewrite("tests.adoption", "tests.linux_tools")

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def example_config():
    """This repository's [tool.pkg] (the example app's), read when a test first asks: a bad one fails the tests
    that use it, never the collection of every test."""
    from pkg.core import config

    return config.load(ROOT)


def app_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--ignored", "--", "app"], cwd=ROOT, capture_output=True,
                          text=True).stdout


def run_pkg(*args: str, cwd: Path = ROOT, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m pkg …` as the Makefile does."""
    return subprocess.run([sys.executable, "-m", "pkg", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=check)


@dataclass(frozen=True)
class ExampleBuild:
    dist: Path
    work: Path  # its working folder (build environment, requirements, Nuitka's output), kept for the caches
    app_status_before: str  # `git status` of app/ around the build
    app_status_after: str


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> ExampleBuild:
    """A real Nuitka standalone build of the example app in a fresh dist/; its work folder is the checkout's
    build/ (the same path each run: Nuitka's and ccache's caches hit), named here and handed to the tests."""
    from pkg.core import names, targets

    dist, work = tmp_path_factory.mktemp("dist with space"), ROOT / names.WORK
    before = app_status()
    proc = subprocess.run([sys.executable, "-m", "pkg", "build", "--dist", str(dist), "--work", str(work)], cwd=ROOT,
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    after = app_status()
    assert proc.returncode == 0, proc.stdout[-3000:]
    return ExampleBuild(dist, work / targets.host().name, before, after)


@pytest.fixture(scope="session")
def built(example_build) -> Path:
    """That build's dist/."""
    return example_build.dist


def pytest_collection_modifyitems(items):
    """A test that needs the real build is end to end, whether or not its module says so: `make test-fast`
    (-m "not e2e") must never start a Nuitka build."""
    for item in items:
        if {"built", "example_build"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
