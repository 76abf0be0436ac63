"""The pure parts of bench/checkout.py: percentiles, the level chosen for the RESULT line, the RESULT
line itself, pgbench's output and the --clients list. The full benchmark (`--quick` takes about
90 s on two cores: migrate, seed, pgbench, gunicorn) is run by hand, not in the suite."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "checkout.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_checkout", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve string annotations through sys.modules
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def level(bench, clients, checkouts, seconds=10.0, add=(), whole=()):
    return bench.LevelResult(
        clients=clients, seconds=seconds, checkouts=checkouts, add_item_ms=list(add), checkout_ms=list(whole)
    )


def test_percentile_interpolates_between_closest_ranks(bench):
    # given 1..100 ms
    values = [float(v) for v in range(100, 0, -1)]
    # then the median sits between 50 and 51 and p95 between 95 and 96, as numpy computes them
    assert bench.percentile(values, 50) == pytest.approx(50.5)
    assert bench.percentile(values, 95) == pytest.approx(95.05)
    assert bench.percentile(values, 0) == 1.0
    assert bench.percentile(values, 100) == 100.0


def test_percentile_of_one_or_no_value(bench):
    assert bench.percentile([42.0], 99) == 42.0
    assert bench.percentile([], 95) == 0.0


def test_result_line_takes_the_best_throughput_and_the_16_client_latencies(bench):
    # given three levels, the 16-client one with known latencies
    levels = [
        level(bench, 8, 136, add=[100, 110, 141], whole=[500, 576, 668]),
        level(bench, 16, 133, add=range(1, 101), whole=range(1001, 1101)),
        level(bench, 32, 130, add=[400] * 5, whole=[2500] * 5),
    ]
    # when the RESULT line is made with pgbench at 4476 tps and 73 queries
    line = bench.result_line(levels, pgbench_n_tps=4476.0, queries_per_checkout=73)
    # then throughput is the best level's, the ratio divides it by pgbench's, latencies are at 16
    assert line == (
        "RESULT checkouts_per_s=13.60 pgbench_n_tps=4476 ratio=0.0030 "
        "add_item_p95_ms_16=95 checkout_p95_ms_16=1095 queries_per_checkout=73"
    )


def test_result_line_names_the_nearest_level_when_16_is_not_run(bench):
    # given only 8 and 32 clients: 8 is as near as 32 to 16 and the smaller wins the tie
    levels = [level(bench, 32, 10, add=[9], whole=[99]), level(bench, 8, 20, add=[5], whole=[50])]
    # then the latency fields say which level they are from
    line = bench.result_line(levels, pgbench_n_tps=1000.0, queries_per_checkout=10)
    assert "add_item_p95_ms_8=5 checkout_p95_ms_8=50" in line
    assert "checkouts_per_s=2.00" in line and "ratio=0.0020" in line


def test_level_summary_counts_errors_by_step_and_status(bench):
    # given a level with two failed add-items and one refused payment
    result = level(bench, 16, 30, seconds=5, add=[10, 20], whole=[100])
    result.errors = {"add_item_1:500": 2, "cash_payment:409": 1}
    # then its line has the throughput, the error total and each kind
    summary = result.summary()
    assert "checkouts/s=   6.00 (30 in 5 s)" in summary
    assert "errors=3 (add_item_1:500×2, cash_payment:409×1)" in summary


def test_pgbench_tps_is_read_from_its_report(bench):
    # given pgbench 15's report
    output = (
        "number of transactions actually processed: 89531\n"
        "latency average = 1.787 ms\n"
        "initial connection time = 9.812 ms\n"
        "tps = 4476.123456 (without initial connection time)\n"
    )
    assert bench.parse_pgbench_tps(output) == pytest.approx(4476.123456)
    # an older pgbench's wording too; no tps line is an error, not a zero
    assert bench.parse_pgbench_tps("tps = 12.5 (excluding connections establishing)\n") == 12.5
    with pytest.raises(ValueError):
        bench.parse_pgbench_tps("connection refused")


def test_callgrind_count_is_read_from_its_report(bench):
    # given callgrind's summary on stderr, after the app's own output
    stderr = (
        '{"level": "INFO", "message": "Collected : 5 (a log line is not the report)"}\n'
        "==9384== Events    : Ir\n"
        "==9384== Collected : 573796227\n"
        "==9384== I   refs:      573,796,227\n"
    )
    assert bench.parse_callgrind_collected(stderr) == 573796227
    # no report (valgrind died first) is an error, not a zero
    with pytest.raises(ValueError):
        bench.parse_callgrind_collected("valgrind: failed to start tool 'callgrind'\n")


def test_cpu_per_checkout_of_each_process_and_all(bench):
    # given a level of 200 checkouts and the CPU each process group used in its window
    measured = level(bench, 16, 200)
    measured.server_cpu_s = {"web": 6.4, "postgres": 1.3}
    measured.client_cpu_s = 0.5
    # then each is shown per checkout, in ms, with their sum
    assert measured.cpu_summary() == "    CPU ms per checkout: web 32.0, postgres 6.5, load client 2.5; all 41.0"
    # and nothing is claimed for a level without checkouts or without the readings
    assert level(bench, 16, 0).cpu_summary() == ""


def test_server_cpu_reader_sums_a_process_and_its_children(bench, tmp_path):
    # given a stack whose "web" process is this test's own process
    stack = bench.Stack(tmp_path)
    stack.processes.append(("web", type("P", (), {"pid": os.getpid()})()))
    read = bench.server_cpu_reader(stack)
    # when CPU is spent here between two readings
    before = read()
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    # then the reading grew by about that much
    assert bench.cpu_spent(before, read())["web"] >= 0.03


def test_cpu_spent_counts_new_processes_whole_and_leaves_out_ended_ones(bench):
    # given a backend that ended (its connection closed) and one that started between two readings
    before = {"postgres": {10: 5.0, 11: 7.0}, "web": {20: 1.0}}
    after = {"postgres": {10: 5.5, 12: 0.25}, "web": {20: 3.0}}
    # then the ended one is not subtracted, and the new one counts whole
    assert bench.cpu_spent(before, after) == {"postgres": 0.75, "web": 2.0}


def test_clients_list_and_quick_mode(bench):
    assert bench.parse_levels("8,16,32") == [8, 16, 32]
    with pytest.raises(argparse.ArgumentTypeError):
        bench.parse_levels("8,0")
    quick = bench.parse_args(["--quick"])
    assert (quick.clients, quick.seconds, quick.pgbench_scale) == ([16], 5, 1)
    full = bench.parse_args(["--clients", "8,16,32", "--seconds", "20"])
    assert (full.clients, full.seconds, full.warmup, full.pgbench_scale) == ([8, 16, 32], 20.0, 3, 10)


def test_py_spy_samples_are_summed_by_kind_own_and_app_inclusive(bench):
    # given py-spy's collapsed stacks: a view waiting on PostgreSQL, building SQL, and recursing in app code
    view = "cart_items (apps/carts/views.py:52)"
    service = "cart_line_add (apps/carts/services.py:168)"
    raw = "\n".join(
        [
            f'process 1:"gunicorn";{view};{service};Connection.wait (psycopg/connection.py:479) 6',
            f'process 1:"gunicorn";{view};SQLCompiler.compile (django/db/models/sql/compiler.py:572) 3',
            f"{view};{service};{service};_price (apps/discounts/pricing.py:10) 1",
            "garbage line",
        ]
    )
    # when summarized
    summary = bench.summarize_collapsed(raw)
    # then every sample counts once, by the innermost frame's kind and function
    assert summary.samples == 10
    assert summary.kinds == [
        ("waiting on PostgreSQL", 6),
        ("Django ORM (building SQL, making rows)", 3),
        ("the app (apps/, pos_project/)", 1),
    ]
    assert summary.own[0] == ("Connection.wait (psycopg/connection.py:479)", 6)
    # and an app function counts once per stack even when it recurses
    assert dict(summary.app_inclusive) == {
        view: 10,
        service: 7,
        "_price (apps/discounts/pricing.py:10)": 1,
    }


def test_a_checkout_adds_its_steps_and_both_add_items(bench):
    # given an empty level of 5 s
    result = bench.LevelResult(clients=2, seconds=5)
    steps = {"create_cart": 10.0, "add_item_1": 20.0, "add_item_2": 40.0, "start_payment": 80.0, "cash_payment": 60.0}
    # when two checkouts end in its window (the client took 1 s of CPU)
    result.add(steps, 210.0)
    result.add({**steps, "add_item_1": 30.0}, 220.0)
    result.client_cpu_s = 1.0
    # then both add-items of each feed the add-item percentiles, and every step has its own
    assert result.checkouts == 2
    assert sorted(result.add_item_ms) == [20.0, 30.0, 40.0, 40.0]
    assert result.checkout_ms == [210.0, 220.0]
    assert result.steps_summary() == (
        "    steps p50/p95 ms: create_cart 10/10, add_item_1 25/30, add_item_2 40/40, "
        "start_payment 80/80, cash_payment 60/60; load client CPU 20% of one core"
    )


def test_the_load_client_runs_on_uvloop(bench):
    import asyncio

    previous = asyncio.get_event_loop_policy()
    try:
        # given uvloop installed (requirements-dev.txt), the client's loops are uvloop's
        assert bench.use_uvloop() is True
        loop = asyncio.new_event_loop()
        try:
            assert type(loop).__module__.startswith("uvloop")
        finally:
            loop.close()
    finally:
        asyncio.set_event_loop_policy(previous)
