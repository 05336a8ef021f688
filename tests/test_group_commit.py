"""The group-commit queue on its own: a lone call goes at once, calls arriving while a group is
stored go together in the next, the next group is stored while the last is delivered, the
leader waits for as many calls as the last group had, and an error reaches its whole group.

The stage here records groups instead of storing transactions: what is under test is the
queue's handing of the lead, which is the same whatever a group is turned into."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from registry.chain.group_commit import GROUP_WAIT, GroupCommit

LONG = 10.0
"""A wait no test reaches: a test that passes well within it shows the queue did not wait."""


class Recorder:
    """A stage that records each group and answers every item with itself doubled; ``hold``
    keeps a group's storing (or ``hold_delivery`` its delivery) until released."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.delivering: list[list[int]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.hold_delivery = threading.Event()
        self.hold_delivery.set()
        self.stored = threading.Semaphore(0)

    def __call__(self, items: list[int]) -> Callable[[], list[int]]:
        self.groups.append(items)
        self.stored.release()
        assert self.hold.wait(LONG)

        def deliver() -> list[int]:
            self.delivering.append(items)
            assert self.hold_delivery.wait(LONG)
            return [2 * i for i in items]

        return deliver


def in_threads(queue: GroupCommit[int, int], items: list[int]) -> list[threading.Thread]:
    threads = [threading.Thread(target=queue.submit, args=(i,)) for i in items]
    for t in threads:
        t.start()
    return threads


def join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(LONG)
        assert not t.is_alive()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LONG
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def test_lone_call_goes_at_once_without_waiting() -> None:
    stage = Recorder()
    queue = GroupCommit(stage, batch_size=100, max_wait=LONG)
    started = time.monotonic()
    assert queue.submit(21) == 42
    assert time.monotonic() - started < LONG / 2
    assert stage.groups == [[21]]


def test_calls_arriving_while_a_group_is_stored_go_together_in_the_next() -> None:
    stage = Recorder()
    stage.hold.clear()
    queue = GroupCommit(stage, batch_size=100)
    first = in_threads(queue, [0])
    assert stage.stored.acquire(timeout=LONG)
    rest = in_threads(queue, [1, 2, 3, 4, 5])
    wait_until(lambda: queue._active == 6)
    stage.hold.set()
    join(first + rest)
    assert stage.groups[0] == [0]
    assert sorted(stage.groups[1]) == [1, 2, 3, 4, 5]


def test_next_group_is_stored_while_the_last_is_delivered() -> None:
    stage = Recorder()
    stage.hold_delivery.clear()
    queue = GroupCommit(stage, batch_size=100)
    first = in_threads(queue, [0])
    wait_until(lambda: stage.delivering == [[0]])
    second = in_threads(queue, [1])
    assert stage.stored.acquire(timeout=LONG)  # the first group's
    assert stage.stored.acquire(timeout=LONG)  # the second's, while the first is delivering
    assert stage.groups == [[0], [1]]
    stage.hold_delivery.set()
    join(first + second)


def test_leader_after_a_group_of_four_waits_for_callers_on_their_way_back() -> None:
    """Alone after a group of four, a leader waits (at most ``GROUP_WAIT``) for three more."""
    stage = Recorder()
    stage.hold.clear()
    queue = GroupCommit(stage, batch_size=100)
    opener = in_threads(queue, [0])
    assert stage.stored.acquire(timeout=LONG)
    four = in_threads(queue, [1, 2, 3, 4])
    wait_until(lambda: queue._active == 5)
    stage.hold.set()
    join(opener + four)
    assert sorted(stage.groups[1]) == [1, 2, 3, 4]
    started = time.monotonic()
    assert queue.submit(5) == 10
    assert GROUP_WAIT <= time.monotonic() - started < GROUP_WAIT + 1.0


def test_waiting_leader_takes_the_returning_callers_in_its_group() -> None:
    stage = Recorder()
    queue = GroupCommit(stage, batch_size=100, max_wait=LONG)
    queue._expect = 4  # as the test above leaves it: the last group had four calls
    started = time.monotonic()
    leader = in_threads(queue, [5])
    wait_until(lambda: queue._active == 1)
    time.sleep(0.05)
    assert stage.groups == []  # still waiting for the others
    others = in_threads(queue, [6, 7, 8])
    join(leader + others)
    assert time.monotonic() - started < LONG / 2  # taken when the fourth came, not at the end
    assert [sorted(g) for g in stage.groups] == [[5, 6, 7, 8]]


def test_leader_waits_no_longer_than_group_wait_for_callers_that_do_not_come() -> None:
    stage = Recorder()
    queue = GroupCommit(stage, batch_size=100)
    queue._expect = 8  # the last group had eight calls
    started = time.monotonic()
    assert queue.submit(1) == 2
    assert GROUP_WAIT <= time.monotonic() - started < GROUP_WAIT + 1.0


def test_a_group_takes_at_most_batch_size_calls() -> None:
    stage = Recorder()
    stage.hold.clear()
    queue = GroupCommit(stage, batch_size=3)
    first = in_threads(queue, [0])
    assert stage.stored.acquire(timeout=LONG)
    rest = in_threads(queue, list(range(1, 8)))
    wait_until(lambda: queue._active == 8)
    stage.hold.set()
    join(first + rest)
    assert [len(g) for g in stage.groups] == [1, 3, 3, 1]
    assert sorted(i for g in stage.groups for i in g) == list(range(8))


@pytest.mark.parametrize("failing", ["store", "deliver"])
def test_an_error_reaches_every_call_of_its_group_and_the_next_group_goes_on(
    failing: str,
) -> None:
    stage = Recorder()
    stage.hold.clear()

    def failing_stage(items: list[int]) -> Callable[[], list[int]]:
        deliver = stage(items)
        if 1 not in items:
            return deliver
        if failing == "store":
            raise OSError("disk full")

        def fail() -> list[int]:
            raise OSError("node unreachable")

        return fail

    queue: GroupCommit[int, int] = GroupCommit(failing_stage, batch_size=100)
    outcomes: dict[int, int | OSError] = {}

    def call(i: int) -> None:
        try:
            outcomes[i] = queue.submit(i)
        except OSError as exc:
            outcomes[i] = exc

    def run(items: list[int]) -> list[threading.Thread]:
        threads = [threading.Thread(target=call, args=(i,)) for i in items]
        for t in threads:
            t.start()
        return threads

    opener = run([0])
    assert stage.stored.acquire(timeout=LONG)
    failing_group = run([1, 2, 3])
    wait_until(lambda: queue._active == 4)
    stage.hold.set()
    join(opener + failing_group)
    join(run([4]))
    assert sorted(stage.groups[1]) == [1, 2, 3]
    assert all(isinstance(outcomes[i], OSError) for i in (1, 2, 3))
    assert (outcomes[0], outcomes[4]) == (0, 8)
