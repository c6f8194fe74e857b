"""Windows specifics. Imported by name at run time (see platforms.py), so import analysis cannot see it."""

import os

NAME = "windows"


def enable_ansi() -> bool:
    """Turn on virtual-terminal processing so ANSI colours render in a classic console."""
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))
    except (AttributeError, OSError):
        return False


def file_identity(path: str) -> tuple[int, int]:
    """st_ino is only filled from Python 3.12 on some Windows filesystems; creation time also changes."""
    st = os.stat(path)
    return (st.st_ino, int(st.st_ctime_ns if hasattr(st, "st_ctime_ns") else st.st_ctime))
