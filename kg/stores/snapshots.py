"""Published snapshots in one store directory: how a build and a running server share an oxigraph store.

RocksDB lets one process write a directory, and pyoxigraph calls reading it from another process while it
is written undefined. So a write never touches a directory anyone reads: the writer copies the latest
published snapshot (RocksDB checkpoint: hard links to its immutable files, so cheap at any size), changes
the copy, closes it, and publishes it by renaming a pointer file — one atomic step. A reader follows the
pointer: it always opens a complete snapshot, and it moves to a newer one between two calls.

Layout of a store directory::

    LATEST                  the number of the published snapshot, e.g. ``000007`` (replaced by rename)
    writer.lock             held (flock) by the one process writing
    snapshots/000007/       a RocksDB directory; published ones are never opened for writing again
    snapshots/000007.inuse  held shared (flock) by every reader of snapshot 7

A snapshot is deleted when it is neither the latest nor in use (the writer tries an exclusive lock on its
``.inuse`` file). One a build left unpublished — killed half-way — is never opened and goes the same way.
Locks held by ``flock`` end with their process, kill -9 included, so no stale lock blocks anyone.

The filesystem part only; `dutygraph.kg.stores.oxigraph` opens the RocksDB directories.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     directory = SnapshotDirectory(Path(tmp) / "store")
...     directory.latest() is None
True
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from dutygraph.errors import StoreError

_LATEST = "LATEST"
_WRITER_LOCK = "writer.lock"
_SNAPSHOTS = "snapshots"
_IN_USE = ".inuse"
# RocksDB writes this file into every database directory it creates.
ROCKSDB_MARKER = "CURRENT"

Opened = TypeVar("Opened")


class SnapshotDirectory:
    """The snapshots of the store in `path`, and the pointer to the published one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.snapshots = path / _SNAPSHOTS

    def is_store(self) -> bool:
        """Whether `path` holds a store of this layout (possibly with nothing published yet)."""
        return (self.path / _LATEST).is_file() or self.snapshots.is_dir()

    def check_usable(self) -> None:
        """Refuse what is not a store directory of ours: a file, an older single-database store, or a
        non-empty directory of something else (RocksDB would write its files among them).

        :raises StoreError: naming the path and what is there.
        """
        path = self.path
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path}: not an oxigraph store (it is a file, not a directory)")
        if not path.is_dir() or self.is_store():
            return
        if (path / ROCKSDB_MARKER).is_file():
            raise StoreError(
                f"{path}: an oxigraph store in the single-directory layout of dutygraph before 0.6; "
                "delete the folder and run `dutygraph build` again"
            )
        if any(path.iterdir()):
            raise StoreError(
                f"{path}: not an oxigraph store (a non-empty directory that dutygraph did not make)"
            )

    def latest(self) -> str | None:
        """The published snapshot's name, or None if nothing was published."""
        try:
            name = (self.path / _LATEST).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        if not name.isdigit():
            raise StoreError(f"{self.path / _LATEST}: names no snapshot ({name[:40]!r})")
        return name

    def pointer_stamp(self) -> tuple[int, int] | None:
        """A cheap token that changes whenever a snapshot is published (one stat call)."""
        try:
            stat = (self.path / _LATEST).stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def snapshot_path(self, name: str) -> Path:
        return self.snapshots / name

    # --- writing ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the writer's lock for the block.

        :raises StoreError: another process (or another open store in this one) holds it.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        self.snapshots.mkdir(exist_ok=True)
        handle = (self.path / _WRITER_LOCK).open("a+b")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"{self.path}: cannot open the oxigraph store: locked by another process or another "
                    "open store in this one (only one writer at a time; readers are not blocked)"
                ) from None
            yield
        finally:
            handle.close()  # releases the lock

    def new_snapshot_name(self) -> str:
        """A name no snapshot has had yet in this directory."""
        numbers = [int(p.name) for p in self.snapshots.iterdir() if p.name.isdigit()]
        latest = self.latest()
        if latest is not None:
            numbers.append(int(latest))
        return f"{max(numbers, default=0) + 1:06d}"

    def publish(self, name: str) -> None:
        """Make snapshot `name` the latest, in one rename (then synced, so it outlives a crash of the host)."""
        temporary = self.path / f"{_LATEST}.{os.getpid()}.tmp"
        with temporary.open("w", encoding="ascii") as pointer:
            pointer.write(name + "\n")
            pointer.flush()
            os.fsync(pointer.fileno())
        temporary.replace(self.path / _LATEST)
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def discard(self, name: str) -> None:
        """Delete an unpublished snapshot (a failed write)."""
        shutil.rmtree(self.snapshot_path(name), ignore_errors=True)

    def collect_garbage(self) -> list[str]:
        """Delete every snapshot that is not the latest and that no reader holds; the names deleted.

        Call with the writer's lock held, so no snapshot is being made meanwhile.
        """
        latest = self.latest()
        names = {p.name.removesuffix(_IN_USE) for p in self.snapshots.iterdir()}
        deleted = []
        for name in sorted(names - {latest}):
            if not name.isdigit():
                continue
            marker = self.snapshots / (name + _IN_USE)
            with marker.open("a+b") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a reader still answers from it
                # Directory first: a reader that locks the marker after this sees no database and retries.
                shutil.rmtree(self.snapshot_path(name), ignore_errors=True)
                marker.unlink(missing_ok=True)
            deleted.append(name)
        return deleted

    # --- reading ----------------------------------------------------------------------------------------

    def hold(self, name: str) -> _Hold | None:
        """A shared lock on snapshot `name`, or None if it is gone (deleted since the pointer was read)."""
        handle = (self.snapshots / (name + _IN_USE)).open("a+b")
        fcntl.flock(handle, fcntl.LOCK_SH)
        if not (self.snapshot_path(name) / ROCKSDB_MARKER).is_file():
            handle.close()
            return None
        return _Hold(handle)


class _Hold:
    """A reader's shared lock on one snapshot; released when closed or garbage-collected."""

    def __init__(self, handle: object) -> None:
        self._handle = handle

    def close(self) -> None:
        close = getattr(self._handle, "close", None)
        if close is not None:
            close()

    def __del__(self) -> None:
        self.close()


@dataclass
class Snapshot(Generic[Opened]):
    """One published snapshot, opened: its name, what the opener made of it, and the lock keeping it."""

    name: str
    opened: Opened
    hold: _Hold | None = field(default=None, repr=False)


class SnapshotFollower(Generic[Opened]):
    """Follows the latest published snapshot of a directory, opening each with `opener` (a read-only open).

    `current()` checks the pointer (one stat) and moves to a newer snapshot when one was published. A caller
    keeps the `Snapshot` it got for as long as it reads: the snapshot stays locked, so not deleted, while
    any reference to it lives, and a concurrent switch never changes what that caller sees.

    :raises StoreError: nothing is published in the directory.
    """

    def __init__(self, directory: SnapshotDirectory, opener: Callable[[Path], Opened]) -> None:
        self._directory = directory
        self._opener = opener
        self._lock = threading.Lock()
        self._stamp = directory.pointer_stamp()
        self._snapshot = self._open_latest()

    def current(self) -> Snapshot[Opened]:
        snapshot = self._snapshot
        if self._directory.pointer_stamp() == self._stamp:
            return snapshot
        with self._lock:
            stamp = self._directory.pointer_stamp()
            if stamp != self._stamp:
                if self._directory.latest() != self._snapshot.name:
                    self._snapshot = self._open_latest()
                self._stamp = stamp
            return self._snapshot

    def _open_latest(self) -> Snapshot[Opened]:
        directory = self._directory
        # A writer may publish and delete the snapshot read from the pointer before it is locked: retry.
        for _ in range(100):
            name = directory.latest()
            if name is None:
                raise StoreError(
                    f"{directory.path}: no oxigraph store there to open read-only (build one first)"
                )
            hold = directory.hold(name)
            if hold is not None:
                try:
                    return Snapshot(name, self._opener(directory.snapshot_path(name)), hold)
                except BaseException:
                    hold.close()
                    raise
        raise StoreError(f"{directory.path}: the latest snapshot kept disappearing; is a writer looping?")
