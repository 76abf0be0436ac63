"""A pytest plugin that runs a whole session with the clock moved to another instant, to show that
tests do not depend on the real date:

    pytest -p tests.clock_travel --clock-at 2028-02-29T23:58:00+09:00 tests/settlement

time-machine moves Python's clock there at start-up and lets it tick on; PostgreSQL and Redis keep
the real clock, exactly as under a test pinned with `time_machine.travel`. A test that pins its own
instant with the `clock` fixture is deselected (it already runs where it needs to); one pinned with
`time_machine.travel` inside still gets its instant (travels nest).
tests/test_clock_independence.py runs the date-sensitive tests this way on every `make test`."""

from __future__ import annotations

from datetime import datetime

import time_machine

_traveller: time_machine.travel | None = None


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--clock-at",
        default=None,
        help="an ISO instant with its UTC offset: move the clock there for the whole session (time-machine)",
    )


def pytest_configure(config) -> None:
    global _traveller
    at = config.getoption("--clock-at")
    if at:
        instant = datetime.fromisoformat(at)
        if instant.tzinfo is None:
            raise ValueError("--clock-at needs a UTC offset, e.g. 2028-02-29T12:00:00+09:00")
        _traveller = time_machine.travel(instant, tick=True)
        _traveller.start()


def pytest_collection_modifyitems(config, items) -> None:
    """With the clock moved, deselect the tests that pin their own instants (the `clock` fixture of
    tests/settlement): they already run wherever they need to, and are the slow ones."""
    if not config.getoption("--clock-at"):
        return
    pinned = [item for item in items if "clock" in getattr(item, "fixturenames", ())]
    if pinned:
        config.hook.pytest_deselected(items=pinned)
        items[:] = [item for item in items if item not in pinned]


def pytest_unconfigure(config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config) -> str | None:
    at = config.getoption("--clock-at")
    return f"clock moved to {at} (time-machine, ticking)" if at else None
