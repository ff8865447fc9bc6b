"""The rows a dry run read, kept on disk for the run that follows.

One JSON document per line, in file order, with its byte offset remembered
so that rows can be read back grouped (all rows of one KK together) without
holding the file in memory. The run reuses it instead of parsing the
spreadsheet again; it is deleted when the job ends. JSON, not pickle: the
file lives in the media folder and must never be able to run code.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings


def cache_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


class RowCache:
    """Append rows, then read them back by index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offsets: list[int] = []
        self._writer = None
        self._reader = None

    @classmethod
    def create(cls, name: str) -> RowCache:
        fd, tmp = tempfile.mkstemp(prefix=f"{name}.", suffix=".tmp", dir=cache_dir())
        os.close(fd)
        cache = cls(Path(tmp))
        cache._writer = open(tmp, "wb")  # noqa: SIM115 (closed by seal())
        return cache

    def append(self, record: Any) -> int:
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        self.offsets.append(self._writer.tell())
        self._writer.write(line)
        return len(self.offsets) - 1

    def seal(self, final_path: Path) -> None:
        """Finish writing and move the file where the run will look for it."""
        self._writer.close()
        self._writer = None
        os.replace(self.path, final_path)
        self.path = final_path

    @classmethod
    def open(cls, path: Path) -> RowCache | None:
        if not path.exists():
            return None
        cache = cls(path)
        offsets = cache.offsets
        with open(path, "rb") as f:
            position = 0
            for line in f:
                offsets.append(position)
                position += len(line)
        return cache

    def __len__(self) -> int:
        return len(self.offsets)

    def __iter__(self) -> Iterator[Any]:
        with open(self.path, "rb") as f:
            for line in f:
                yield json.loads(line)

    def read(self, indices: Iterable[int]) -> list[Any]:
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 (closed by close())
        f, out = self._reader, []
        for i in indices:
            f.seek(self.offsets[i])
            out.append(json.loads(f.readline()))
        return out

    def close(self) -> None:
        for handle in (self._writer, self._reader):
            if handle is not None:
                handle.close()
        self._writer = self._reader = None

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
