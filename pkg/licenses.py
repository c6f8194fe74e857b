"""LICENSES/: the licence files of every shipped distribution, of CPython and of the app itself."""

import shutil
import sysconfig
from pathlib import Path

from pkg.config import Config
from pkg.shipped import Shipped, licence_files


def cpython_licence() -> Path | None:
    path = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    return path if path.is_file() else None


def write(folder: Path, cfg: Config, shipped: Shipped) -> list[str]:
    """Copy licence files into `folder`; return the distributions that have none (for the notes)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = []
    own = [cfg.root / name for name in ("LICENSE", "LICENSE.txt", "LICENCE", "COPYING") if (cfg.root / name).is_file()]
    sources = {f"{cfg.app}-{cfg.version}": own}
    sources |= {f"{name}-{version}": licence_files(name) for name, version in sorted(shipped.distributions.items())}
    for py_version in sorted(shipped.python):
        found = cpython_licence()
        sources[f"cpython-{py_version}"] = [found] if found else []
    for label, files in sources.items():
        if not files:
            missing.append(label)
            continue
        target = folder / label
        target.mkdir(exist_ok=True)
        for file in files:
            shutil.copyfile(file, target / file.name)
    return missing
