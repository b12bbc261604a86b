"""iterate_ahead: the same items in order, errors where they happened, and an early stop that
ends the producer and runs its clean-up."""

import threading

import pytest

from lmr_studio.ahead import iterate_ahead


def counting(n: int, log: list, fail_at: int | None = None):
    try:
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"bad item {i}")
            log.append(("made", i, threading.current_thread().name))
            yield i
    finally:
        log.append(("closed",))


def test_items_arrive_in_order_from_another_thread():
    log = []
    assert list(iterate_ahead(counting(200, log), depth=4)) == list(range(200))
    assert {entry[2] for entry in log if entry[0] == "made"} == {"lmr-ahead"}
    assert log[-1] == ("closed",)


def test_an_error_is_raised_after_the_items_before_it():
    got = []
    with pytest.raises(ValueError, match="bad item 5"):
        for item in iterate_ahead(counting(10, [], fail_at=5)):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]


def test_stopping_early_stops_the_producer_and_runs_its_clean_up():
    log = []
    ahead = iterate_ahead(counting(10_000, log), depth=3)
    assert [next(ahead) for _ in range(5)] == list(range(5))
    ahead.close()
    made = sum(entry[0] == "made" for entry in log)
    assert log[-1] == ("closed",) and made <= 5 + 3 + 2  # at most the queue's depth ahead
    assert not any(t.name == "lmr-ahead" for t in threading.enumerate())


class FailingClose:
    """Items whose clean-up raises (a decoder that cannot release its file, say)."""

    def __init__(self, n: int):
        self.items = iter(range(n))

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.items)

    def close(self):
        raise OSError("cannot release the source")


@pytest.mark.timeout(20)
def test_an_error_in_the_clean_up_is_raised_after_every_item_instead_of_hanging():
    got = []
    with pytest.raises(OSError, match="cannot release"):
        for item in iterate_ahead(FailingClose(7)):
            got.append(item)
    assert got == list(range(7))
