"""Fixture builds shaped like each CI runner's dist/: a folder, its archive, a Nuitka-style report and
the artifact record. Only linux-x86_64 can really be built here; the others stand in for the macOS and
Windows runners (their programs are placeholders, never run)."""

import json
from pathlib import Path

from pkg import archive, manifest, targets

EPOCH = 1_700_000_000
REPORT = """<?xml version='1.0' encoding='utf8'?>
<nuitka-compilation-report>
  <included_dll name="{dll}" dest_path="{dll}" source_path="/x/{dll}" package="" ignored="no" reason="r" tags="copy" />
  <distributions>
    <distribution name="click" version="8.5.1" installer="uv" />
    <distribution name="psutil" version="7.2.2" installer="uv" />
    {extra}
    <distribution name="tailor" version="{version}" installer="uv" />
  </distributions>
  <python python_version="3.11.7" os_name="x" arch_name="y" />
</nuitka-compilation-report>
"""


def fake_build(dist: Path, target: str, version: str, app: str = "tailor") -> dict:
    t = targets.parse(target)
    name = f"{app}-{target}"
    folder = dist / name
    (folder / "lib").mkdir(parents=True, exist_ok=True)
    program = folder / (f"{app}.exe" if t.os == "windows" else app)
    program.write_bytes(b"MZ placeholder" if t.os == "windows" else f"#!/bin/sh\necho '{app} {version}'\n".encode())
    program.chmod(0o755)
    (folder / "lib" / "python311.dll").write_bytes(b"dll" * 100)
    path = archive.create(folder, dist / f"{name}{t.archive_ext}", EPOCH)
    dll = {"windows": "vcruntime140.dll", "macos": "libcrypto.3.dylib"}.get(t.os, "libcrypto.so.3")
    extra = '<distribution name="colorama" version="0.4.6" installer="uv" />' if t.os == "windows" else ""
    (dist / f"{name}.report.xml").write_text(REPORT.format(dll=dll, extra=extra, version=version))
    record = {"schema": manifest.SCHEMA, "app": app, "version": version, "target": target, "backend": "nuitka",
              "layout": "flat", "folder": name, "binary": f"{name}/{program.name}", "report": f"{name}.report.xml",
              "tools": {"python": "3.11.7", "nuitka": "4.3.3"},
              "artifacts": [manifest.describe(path, dist, "archive", target)]}
    manifest.write(dist, record)
    return record


def fake_dist(dist: Path, version: str, which=targets.DEFAULT_TARGETS) -> Path:
    dist.mkdir(parents=True, exist_ok=True)
    for target in which:
        fake_build(dist, target, version)
    return dist


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())
