"""LICENSES/: the licence files of the app, of every shipped distribution and of CPython, as each build
collected them from its own build environment (pkg/shipped.py)."""

import shutil
from pathlib import Path

from pkg.shipped import Shipped, app_entry


def write(folder: Path, records: dict[str, dict], shipped: Shipped) -> list[str]:
    """Copy licence files into `folder`; return the labels that have none (for the notes)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources: dict[str, list[Path]] = {}
    own = app_entry(records)
    if own is not None:
        base, entry = own
        sources[f"{entry['name']}-{entry['version']}"] = [base / f for f in entry["licence_files"]]
    for name, entry in sorted(shipped.distributions.items()):
        sources[f"{name}-{entry['version']}"] = [entry["base"] / f for f in entry["licence_files"]]
    for version, files in sorted(shipped.python.items()):
        sources[f"cpython-{version}"] = [Path(f) for f in files]
    missing = []
    for label, files in sources.items():
        present = [f for f in files if f.is_file()]
        if not present:
            missing.append(label)
            continue
        (folder / label).mkdir(exist_ok=True)
        for file in present:
            shutil.copyfile(file, folder / label / file.name)
    return missing
