"""The worker's own copies of cached values: kept for their life, the oldest dropped when full."""

from apps.core import localcache
from apps.core.localcache import WorkerMemo


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_kept_for_its_life_only(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(localcache.time, "monotonic", clock)
    memo = WorkerMemo(size=4, seconds=60)
    # given a value kept at t=1000
    memo.put("menu:1:v1", ["아메리카노"])
    # then it is served until its life ends, and not after
    clock.now = 1059.9
    assert memo.get("menu:1:v1") == ["아메리카노"]
    clock.now = 1060.0
    assert memo.get("menu:1:v1") is None
    assert memo.get("menu:1:v2") is None


def test_when_full_the_oldest_put_goes_first(monkeypatch):
    monkeypatch.setattr(localcache.time, "monotonic", _Clock())
    memo = WorkerMemo(size=2, seconds=60)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.put("a", 11)  # put again: now the newest
    # when a third key comes in
    memo.put("c", 3)
    # then "b", the oldest put, made room; "a" (put again) and "c" stay
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (11, None, 3)
