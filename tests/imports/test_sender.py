"""The preparing process's sender: batches in order, at most `ahead` not yet taken by the
writer, and a stop (not a hang) when the writer has gone."""

import multiprocessing
import threading

import pytest

from weft.imports.engine import _Sender, _WriterGone


def _reserved_in_time(sender, seconds=0.5) -> bool:
    done = threading.Event()
    threading.Thread(target=lambda: (sender.reserve(), done.set()), daemon=True).start()
    return done.wait(seconds)


def test_at_most_two_batches_ahead_of_the_writer_then_one_per_batch_taken():
    receiver, pipe = multiprocessing.Pipe(duplex=False)
    sender = _Sender(pipe, ahead=2)
    big = "行" * 1_000_000  # more than a pipe holds: its send waits for the writer
    for n in (1, 2):
        sender.reserve()
        sender.put(("batch", (n, big)))
    # Neither taken yet: a third may not be prepared.
    assert not _reserved_in_time(sender)
    assert receiver.recv() == ("batch", (1, big))
    assert receiver.recv() == ("batch", (2, big))
    sender.put(("batch", (3, "")))  # the place the blocked reservation got
    sender.put(("done", {"read the file": 1.0}))
    assert receiver.recv() == ("batch", (3, ""))
    assert receiver.recv() == ("done", {"read the file": 1.0})
    sender.close()


def test_a_writer_gone_stops_the_preparing_instead_of_hanging():
    receiver, pipe = multiprocessing.Pipe(duplex=False)
    sender = _Sender(pipe, ahead=1)
    sender.reserve()
    receiver.close()
    sender.put(("batch", "行" * 1_000_000))
    with pytest.raises(_WriterGone):
        sender.reserve()
    sender.close()
