"""POSIX specifics. Imported by name at run time (see platforms.py), so import analysis cannot see it."""

import os

NAME = "posix"


def enable_ansi() -> bool:
    return True


def file_identity(path: str) -> tuple[int, int]:
    """Identity of a file across renames: log rotation replaces the inode."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino)
