"""Journal: framing, torn-tail recovery, reading ranges back, pruning committed segments."""

from __future__ import annotations

from pathlib import Path

from app.ingest.journal import Datagram, Journal, encode_frame


def datagram(seq: int, data: bytes = b"clk;01:59") -> Datagram:
    return Datagram(
        seq, 1_700_000_000_000_000_000 + seq, 5_000 + seq, 3, 6000, "10.0.0.7", 5123, data
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    records = [datagram(1), datagram(2, b""), datagram(3, bytes(range(256)) * 250)]
    journal.append(records)
    journal.close()
    reopened = Journal.open(tmp_path)
    assert list(reopened.read_from(1)) == records
    assert reopened.last_seq == 3
    assert reopened.recovery is not None and reopened.recovery.cut_bytes == 0


def test_torn_tail_is_cut_and_reported_and_appends_continue(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    journal.append([datagram(1), datagram(2)])
    journal.close()
    segment = journal.segments()[0]
    torn = encode_frame(datagram(3))[:-4]  # a process killed in the middle of a write
    with segment.open("ab") as handle:
        handle.write(torn)
    reopened = Journal.open(tmp_path)
    assert reopened.recovery is not None
    assert reopened.recovery.cut_bytes == len(torn)
    assert reopened.recovery.reason == "torn frame body"
    assert [d.seq for d in reopened.read_from(1)] == [1, 2]
    reopened.append([datagram(3)])
    assert [d.seq for d in reopened.read_from(1)] == [1, 2, 3]


def test_corrupt_frame_is_detected_by_checksum(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    journal.append([datagram(1), datagram(2)])
    journal.close()
    segment = journal.segments()[0]
    data = bytearray(segment.read_bytes())
    data[-1] ^= 0xFF  # flip a bit in the last datagram
    segment.write_bytes(bytes(data))
    reopened = Journal.open(tmp_path)
    assert reopened.recovery is not None and reopened.recovery.reason == "checksum mismatch"
    assert [d.seq for d in reopened.read_from(1)] == [1]


def test_read_from_a_range_across_segments(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, segment_bytes=200)
    for seq in range(1, 31):
        journal.append([datagram(seq)])
    assert len(journal.segments()) > 3
    assert [d.seq for d in journal.read_from(7, 19)] == list(range(7, 20))
    assert [d.seq for d in journal.read_from(25)] == list(range(25, 31))


def test_prune_removes_only_fully_committed_segments(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, segment_bytes=200)
    for seq in range(1, 31):
        journal.append([datagram(seq)])
    starts = [int(p.stem) for p in journal.segments()]
    committed = starts[2]  # the third segment's first record is committed, not the rest of it
    removed = journal.prune(committed)
    assert removed == 2
    remaining = [d.seq for d in journal.read_from(1)]
    assert remaining[0] == starts[2]
    assert remaining[-1] == 30
    assert all(seq in remaining for seq in range(committed + 1, 31))
