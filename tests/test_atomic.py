"""Stage, then rename (pkg/core/atomic.py): what is published has the permissions a plain write gives."""

import os
import subprocess
import sys

from .conftest import ROOT

CODE = """
import os, stat, sys
from pathlib import Path
from pkg.core import atomic
os.umask(int(sys.argv[2], 8))
out = Path(sys.argv[1])
atomic.write_text(out / "notes.md", "x")
with atomic.staged_dir(out / "folder") as stage:
    (stage / "f").write_text("y")
print(oct(stat.S_IMODE((out / "notes.md").stat().st_mode)), oct(stat.S_IMODE((out / "folder").stat().st_mode)),
      oct(os.umask(0)), sorted(p.name for p in out.iterdir()))
"""


def test_published_files_and_folders_follow_the_umask_and_it_is_left_alone(tmp_path):
    """tempfile makes 0600 files and 0700 folders; a release file must be as readable as any other the user
    writes (0644 under umask 022, 0640 under 027), with nothing staged left beside it."""
    for umask, file_mode, dir_mode in (("022", "0o644", "0o755"), ("027", "0o640", "0o750")):
        out = tmp_path / umask
        out.mkdir()
        proc = subprocess.run([sys.executable, "-c", CODE, str(out), umask], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == [file_mode, dir_mode, "0o" + umask.lstrip("0"), "['folder',", "'notes.md']"]


def test_no_module_sets_the_process_umask_to_read_it():
    """Reading the umask means setting it (os.umask), a race with any thread writing meanwhile: the pipeline
    lets the kernel apply it instead."""
    setters = [p.relative_to(ROOT) for p in (ROOT / "pkg").rglob("*.py") if "os.umask(" in p.read_text()]
    assert setters == []
