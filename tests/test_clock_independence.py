"""No test may depend on today's date. The date-sensitive tests (reports, settlement periods, business
days) run again here, in a pytest subprocess whose clock tests/clock_travel.py moves to instants
where "today" is unusual: a calendar Monday the 1st before the store's 04:00 cutoff (the business
date is still Sunday the 28th, the last day of February), and a minute before midnight on 29
February 2028. A test that reads the real date without pinning it (time_machine.travel) fails here.

The subprocess reuses the session's test database (--reuse-db, no migrations) and leaves out the
slow tests and the ones that pin their own instants (the `clock` fixture, already run over the
awkward days), so each instant costs a few seconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Before the cutoff on a calendar Monday the 1st (business date Sunday 28 Feb 2027), and 23:58 on
# a leap day (the clock ticks on, so a slow test crosses midnight, as a real one would).
INSTANTS = ["2027-03-01T03:30:00+09:00", "2028-02-29T23:58:00+09:00"]

DATE_SENSITIVE = ["tests/settlement"]
# Tests built on fixed dates only, and slow: nothing to learn from them under another clock.
FIXED_DATES = ["tests/settlement/test_rollups_property.py"]


@pytest.mark.parametrize("instant", INSTANTS)
def test_date_sensitive_tests_pass_on_another_day(instant):
    # given the date-sensitive tests, and a clock moved to an awkward instant
    command = [sys.executable, "-m", "pytest", "-p", "tests.clock_travel", f"--clock-at={instant}"]
    command += [*DATE_SENSITIVE, *(f"--ignore={path}" for path in FIXED_DATES)]
    command += ["-m", "not slow and not e2e", "-q", "-x", "-p", "no:cacheprovider"]
    # when they run there
    result = subprocess.run(
        command, cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True
    )
    # then they pass as they do today
    assert result.returncode == 0, (
        f"failed with the clock at {instant}:\n{result.stdout[-6000:]}{result.stderr[-2000:]}"
    )
