"""The database and cache timings keep one labelled child each (taken at first use): /metrics shows
the same samples as when every statement and cache call looked its child up."""

import pytest
from django.core.cache import cache
from django.db import DatabaseError

from apps.ops.middleware import _QueryTimer

from .conftest import sample, scrape

ALIAS = "ops-children-test"  # an alias of this test's own, so no other statement moves its samples


def _answer(sql, params, many, context):
    return "rows"


def _fail(sql, params, many, context):
    raise DatabaseError("connection lost")


@pytest.mark.django_db
def test_statements_of_one_alias_over_several_requests_land_on_its_samples(client, metrics_token):
    # given a request's timer whose statement succeeds
    assert _QueryTimer(ALIAS)(_answer, "SELECT 1", None, False, {}) == "rows"
    samples = scrape(client)
    # then it is counted, and the alias has no error sample at all (not even a 0) until one fails
    assert sample(samples, "cloudpos_db_query_duration_seconds_count", alias=ALIAS) == 1
    assert not [key for key in samples if key[0] == "cloudpos_db_query_errors_total" and ("alias", ALIAS) in key[1]]
    # when a later request's timer sees one statement fail and one succeed
    timer = _QueryTimer(ALIAS)
    with pytest.raises(DatabaseError):
        timer(_fail, "SELECT 1", None, False, {})
    timer(_answer, "SELECT 2", None, False, {})
    samples = scrape(client)
    # then both are timed, the failure is counted, and the timer has its own count
    assert sample(samples, "cloudpos_db_query_duration_seconds_count", alias=ALIAS) == 3
    assert sample(samples, "cloudpos_db_query_errors_total", alias=ALIAS) == 1
    assert timer.count == 2


@pytest.mark.django_db
def test_each_cache_operation_keeps_its_own_samples(client, metrics_token):
    def counts() -> dict[str, float]:
        samples = scrape(client)
        name = "cloudpos_cache_operation_duration_seconds_count"
        return {operation: sample(samples, name, operation=operation) for operation in ("get", "set", "delete")}

    before = counts()
    # when the cache is written twice, read three times and deleted once
    cache.set("ops-children", 1)
    cache.set("ops-children", 2)
    for _ in range(3):
        assert cache.get("ops-children") == 2
    cache.delete("ops-children")
    after = counts()
    # then each operation's count moved by its own calls only
    assert {operation: after[operation] - before[operation] for operation in after} == {"get": 3, "set": 2, "delete": 1}
