"""Append-only journal of raw datagrams: the first place every received byte goes.

Each datagram is written (unbuffered, straight to the OS) as one frame:
``<u32 body length><u32 crc32(body)><body>``, body = fixed header + source address + datagram.
A process killed at any moment leaves at most one torn frame at the end of the last segment;
`Journal.open` detects it, cuts it and reports it. Segments are named after their first
sequence number and removed once the database has committed everything in them.
"""

from __future__ import annotations

import itertools
import os
import struct
import threading
import zlib
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

_FRAME = struct.Struct("<II")  # body length, crc32
_HEADER = struct.Struct("<QqqIHHB")  # seq, received_ns, monotonic_ns, court_id, local port,
# source port, source address length
SEGMENT_BYTES = 64 * 1024 * 1024
_SUFFIX = ".sdj"
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)


class Datagram(NamedTuple):
    """One received datagram, stamped by the listener. A NamedTuple: built 50,000 times a second."""

    seq: int
    received_ns: int  # UTC wall clock, ns since the epoch
    monotonic_ns: int
    court_id: int
    local_port: int
    source_host: str
    source_port: int
    data: bytes


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What `Journal.open` found: segments, records, and any damaged tail it cut."""

    segments: int
    records: int
    last_seq: int
    cut_bytes: int
    cut_segment: str | None
    reason: str | None


def encode_frame(d: Datagram) -> bytes:
    host = d.source_host.encode("ascii", "replace")[:255]
    body = (
        _HEADER.pack(
            d.seq,
            d.received_ns,
            d.monotonic_ns,
            d.court_id,
            d.local_port,
            d.source_port,
            len(host),
        )
        + host
        + d.data
    )
    return _FRAME.pack(len(body), zlib.crc32(body)) + body


def _decode_body(body: bytes) -> Datagram:
    seq, received_ns, monotonic_ns, court_id, local_port, source_port, host_len = (
        _HEADER.unpack_from(body)
    )
    start = _HEADER.size
    host = body[start : start + host_len].decode("ascii", "replace")
    return Datagram(
        seq,
        received_ns,
        monotonic_ns,
        court_id,
        local_port,
        host,
        source_port,
        body[start + host_len :],
    )


def _frames(data: bytes) -> Generator[tuple[Datagram, int], None, str | None]:
    """Valid records of `data` with the offset just after each. Stops at the first damaged
    frame and returns why (None when the data ends cleanly)."""
    offset = 0
    size = len(data)
    while offset < size:
        if size - offset < _FRAME.size:
            return "torn frame header"
        length, crc = _FRAME.unpack_from(data, offset)
        body_start = offset + _FRAME.size
        if length < _HEADER.size or body_start + length > size:
            return "torn frame body"
        body = data[body_start : body_start + length]
        if zlib.crc32(body) != crc:
            return "checksum mismatch"
        offset = body_start + length
        yield _decode_body(body), offset
    return None


class _Scan(NamedTuple):
    records: list[Datagram]
    good_bytes: int
    reason: str | None


def _scan(data: bytes) -> _Scan:
    records: list[Datagram] = []
    good = 0
    frames = _frames(data)
    while True:
        try:
            record, good = next(frames)
        except StopIteration as stop:
            return _Scan(records, good, stop.value)
        records.append(record)


class Journal:
    """The datagram journal in one folder. `append` is called by the listener thread only;
    `read_from` may be called by the writer thread at the same time (it reads whole frames)."""

    def __init__(self, folder: Path, segment_bytes: int = SEGMENT_BYTES) -> None:
        self.folder = folder
        self.segment_bytes = segment_bytes
        self._fd: int | None = None
        self._segment: Path | None = None
        self._segment_size = 0
        self._lock = threading.Lock()  # rotation vs. pruning
        self.last_seq = 0
        self.recovery: RecoveryReport | None = None
        # (segment, byte offset, next seq) just after the last record read_from returned
        self._resume: tuple[Path, int, int] | None = None

    # --- opening and recovery ------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path, segment_bytes: int = SEGMENT_BYTES) -> Journal:
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(folder, segment_bytes)
        journal.recovery = journal._recover()
        return journal

    def segments(self) -> list[Path]:
        return sorted(self.folder.glob(f"*{_SUFFIX}"))

    def _recover(self) -> RecoveryReport:
        segments = self.segments()
        records = 0
        last_seq = 0
        cut_bytes = 0
        cut_segment: str | None = None
        reason: str | None = None
        for path in segments:
            data = path.read_bytes()
            scan = _scan(data)
            records += len(scan.records)
            if scan.records:
                last_seq = max(last_seq, scan.records[-1].seq)
            if scan.reason is not None:
                # Only the tail of a segment can be torn by a crash; cut it so appends that
                # follow are readable. Everything before the damage is kept.
                cut_bytes += len(data) - scan.good_bytes
                cut_segment = path.name
                reason = scan.reason
                with path.open("r+b") as handle:
                    handle.truncate(scan.good_bytes)
        self.last_seq = last_seq
        return RecoveryReport(len(segments), records, last_seq, cut_bytes, cut_segment, reason)

    def continue_after(self, seq: int) -> None:
        """Number the next datagrams after `seq` if the journal is behind it: the database may
        hold sequence numbers this journal never saw (a data folder restored from a backup, a
        deleted journal folder), and a reused number would collide with a stored event."""
        self.last_seq = max(self.last_seq, seq)

    # --- writing ---------------------------------------------------------------------------
    def _open_segment(self, first_seq: int) -> None:
        self.close()
        self._segment = self.folder / f"{first_seq:016d}{_SUFFIX}"
        self._fd = os.open(self._segment, _OPEN_FLAGS, 0o644)
        self._segment_size = os.fstat(self._fd).st_size

    def append(self, datagrams: Sequence[Datagram]) -> None:
        """Write datagrams in one system call; they are in the OS cache when this returns."""
        if not datagrams:
            return
        payload = b"".join(encode_frame(d) for d in datagrams)
        with self._lock:
            if self._fd is None or self._segment_size >= self.segment_bytes:
                self._open_segment(datagrams[0].seq)
            assert self._fd is not None
            view = memoryview(payload)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            self._segment_size += len(payload)
            self.last_seq = datagrams[-1].seq

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # --- reading and pruning -----------------------------------------------------------------
    def read_from(self, first_seq: int, last_seq: int | None = None) -> Iterator[Datagram]:
        """Records with first_seq <= seq (<= last_seq), in order.

        The writer reads consecutive ranges while it catches up; the position where the last
        read ended is remembered so a range is not found again by scanning from the start.
        """
        segments = self.segments()
        starts = [int(path.stem) for path in segments]
        for index, path in enumerate(segments):
            next_start = starts[index + 1] if index + 1 < len(segments) else None
            if next_start is not None and next_start <= first_seq:
                continue
            if last_seq is not None and starts[index] > last_seq:
                break
            offset = 0
            resume = self._resume
            if resume is not None and resume[0] == path and resume[2] <= first_seq:
                offset = resume[1]
            try:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    data = handle.read()
            except FileNotFoundError:  # pruned meanwhile: its records were committed
                continue
            for record, end in _frames(data):
                if record.seq < first_seq:
                    continue
                if last_seq is not None and record.seq > last_seq:
                    return
                self._resume = (path, offset + end, record.seq + 1)
                yield record

    def prune(self, committed_seq: int) -> int:
        """Remove segments whose every record is committed; returns how many were removed."""
        removed = 0
        with self._lock:
            segments = self.segments()
            for path, following in itertools.pairwise(segments):
                if path == self._segment:
                    break
                if int(following.stem) - 1 <= committed_seq:
                    path.unlink(missing_ok=True)
                    removed += 1
                else:
                    break
        return removed

    def size_bytes(self) -> int:
        total = 0
        for path in self.segments():
            try:
                total += path.stat().st_size
            except FileNotFoundError:
                continue
        return total
