"""Stage `msi` of BUILD (pkg/channels/msi_runner.py): on a Windows build it runs scripts/msi.ps1, which calls
`python -m pkg msi` back, and the MSI ends up in dist/ and in the build manifest; on any other it skips.
PowerShell, dotnet and WiX cannot run here: a fake `powershell` on PATH stands in for scripts/msi.ps1,
checks how it was called and does what it does with wixl instead of WiX 5 (`python -m pkg msi`)."""

import os
import stat
from pathlib import Path

import pytest

from pkg import pipeline
from pkg.channels import msi_runner
from pkg.compile.context import BuildContext
from pkg.core import model, names, targets
from pkg.core.errors import PkgError
from pkg.core.model import Kind

from .conftest import example_config
from .fixtures import fake_build

V = "0.2.0"
FAKE = """#!/usr/bin/env bash
# stands in for Windows PowerShell running scripts/msi.ps1 (not on Linux)
set -euo pipefail
printf '%s\\n' "$@" > "{log}"
[ "$4" = "-File" ] && [ "$(basename "$5")" = msi.ps1 ] || {{ echo "not msi.ps1: $*" >&2; exit 9; }}
[ "{succeed}" = yes ] || {{ echo "wix build failed" >&2; exit 1; }}
exec "$PY" -m pkg --root "${{13}}" msi --target "$7" --version "$9" --dist "${{11}}"
"""


def fake_powershell(folder: Path, log: Path, succeed: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "powershell"
    script.write_text(FAKE.format(log=log, succeed="yes" if succeed else "no"))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def windows_ctx(tmp_path: Path) -> BuildContext:
    dist = tmp_path / "dist"
    built = fake_build(dist, names.WINDOWS_TARGET, V)
    ctx = BuildContext(example_config(), targets.parse(names.WINDOWS_TARGET), dist, tmp_path / "work")
    ctx.manifest = built
    return ctx


def test_it_is_a_build_stage_after_the_manifest_and_skips_off_windows(tmp_path):
    order = [stage.name for stage in pipeline.BUILD]
    assert order.index("msi") > order.index("record")  # msi.ps1 reads and extends the build manifest
    ctx = BuildContext(example_config(), targets.parse("linux-x86_64"), tmp_path / "dist", tmp_path / "work")
    assert "not a Windows build" in msi_runner.STAGE.skip(ctx)
    assert msi_runner.STAGE.skip(BuildContext(example_config(), targets.parse(names.WINDOWS_TARGET),
                                              tmp_path / "dist", tmp_path / "work")) is None


def test_on_windows_msi_ps1_builds_and_records_the_msi(tmp_path, monkeypatch):
    log = tmp_path / "argv"
    fake_powershell(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    ctx = windows_ctx(tmp_path)
    msi_runner.STAGE.run(ctx)
    argv = log.read_text().splitlines()
    assert argv[:5] == ["-NoProfile", "-ExecutionPolicy", "Bypass", "-File", str(msi_runner.SCRIPT)]
    assert argv[5:] == ["-Target", names.WINDOWS_TARGET, "-Version", V, "-Dist", str(ctx.dist.resolve()),
                        "-Root", str(ctx.cfg.root.resolve())]
    recorded = ctx.manifest.select(Kind.MSI)
    assert [a.path for a in recorded] == [names.msi(ctx.manifest.app.name)] and (ctx.dist / recorded[0].path).is_file()
    assert model.find_build(ctx.dist, names.WINDOWS_TARGET)[1].select(Kind.MSI) == recorded


def test_a_failing_wix_build_is_one_line(tmp_path, monkeypatch):
    fake_powershell(tmp_path / "bin", tmp_path / "argv", succeed=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(PkgError) as failed:
        msi_runner.STAGE.run(windows_ctx(tmp_path))
    assert str(failed.value).startswith("building the MSI with WiX 5 failed (exit 1); full log: ")
    assert "wix build failed" in Path(str(failed.value).rsplit(": ", 1)[1]).read_text()
    assert not (tmp_path / "dist" / names.msi("tailor")).exists()
