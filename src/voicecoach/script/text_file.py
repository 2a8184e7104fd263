"""Reading a small file a person names: its type and size are checked before reading, and
the read itself stops at the cap.

A FIFO would block the reader for ever and /dev/zero never ends, so the file is opened
without blocking, checked with fstat (a regular file no larger than the cap) and read at
most one byte past the cap, in case it grew since.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(Exception):
    """The path is not a regular file, or is larger than the cap; the message says which,
    in words that complete "the file ..." (e.g. "is a named pipe, not a file")."""


def read_capped(path: str | Path, cap: int) -> bytes:
    """The bytes of the regular file at `path`, at most `cap` of them.

    Raises FileRefused when it is not a regular file or holds more than `cap` bytes, and
    OSError when it cannot be opened (missing, no permission, name too long)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise FileRefused(f"is {kind}, not a file")
        size = os.fstat(fd).st_size
        if size > cap:
            raise FileRefused(f"is too large: {size} bytes (expected at most {cap})")
        chunks: list[bytes] = []
        got = 0
        while got <= cap:
            chunk = os.read(fd, cap + 1 - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > cap:
            raise FileRefused(f"is too large: more than {cap} bytes (expected at most {cap})")
        return b"".join(chunks)
    finally:
        os.close(fd)
