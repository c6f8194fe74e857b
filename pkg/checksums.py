"""Checksum files in coreutils format: `<hex>  <name>`, clean under `sha256sum -c`."""

from pathlib import Path

from pkg import atomic, manifest


def line(path: Path, name: str) -> str:
    return f"{manifest.sha256_file(path)}  {name}\n"


def write_each(files: list[Path]) -> list[Path]:
    """A `<file>.sha256` beside each file."""
    written = []
    for path in files:
        out = path.with_name(path.name + ".sha256")
        atomic.write_text(out, line(path, path.name))
        written.append(out)
    return written


def write_sums(folder: Path, name: str = "SHA256SUMS") -> Path:
    """SHA256SUMS over every file below `folder` (paths relative to it), except checksum files."""
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and p.name != name and not p.name.endswith(".sha256"))
    out = folder / name
    atomic.write_text(out, "".join(line(p, p.relative_to(folder).as_posix()) for p in files))
    return out
