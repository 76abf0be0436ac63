"""Bridges never hold every thread of a web process: beyond BRIDGE_LONG_POLLS_PER_PROCESS waiting
polls, a poll is answered at once (a plain poll; the bridge asks again a second later). Real threads
on PostgreSQL, as gunicorn's gthread workers run them."""

import time

import pytest
from django.test import Client

from apps.bridge import longpoll
from tests.concurrency import run_together

from .factories import BridgeDeviceFactory

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 3


def _timed_poll(device):
    def call():
        started = time.monotonic()
        answer = Client().post(
            "/api/bridge/poll",
            {"wait": WAIT},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Device {device.raw_token}",
        )
        return answer.status_code, time.monotonic() - started

    return call


def test_polls_beyond_the_limit_are_answered_at_once(store, settings):
    # given a process that lets one bridge wait, and two bridges polling at the same moment
    settings.BRIDGE_LONG_POLLS_PER_PROCESS = 1
    settings.BRIDGE_LONG_POLL_SECONDS = WAIT
    bridges = [BridgeDeviceFactory(store=store, name=f"브리지 {i}") for i in range(2)]
    # when both poll with no job waiting
    results = run_together([_timed_poll(bridge) for bridge in bridges])
    # then one waited its long-poll and the other was answered at once, both 200
    assert all(status == 200 for status, _took in results), results
    # (compared with each other: both pay the same start-up on a busy machine)
    took = sorted(took for _status, took in results)
    assert took[1] >= WAIT * 0.9 and took[1] - took[0] >= WAIT * 0.8, took
    assert longpoll.waiting() == 0  # every slot given back


def test_the_limit_follows_the_web_threads(settings, monkeypatch):
    settings.BRIDGE_LONG_POLLS_PER_PROCESS = None
    monkeypatch.delenv("BRIDGE_LONG_POLLS_PER_PROCESS", raising=False)
    monkeypatch.setenv("WEB_THREADS", "8")
    assert longpoll.limit() == 6  # two threads of each process stay free for kiosks and POS
    monkeypatch.setenv("WEB_THREADS", "1")
    assert longpoll.limit() == 0  # sync workers: no bridge ever holds the process
