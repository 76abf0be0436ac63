"""Metrics kept in Redis, for events that happen in any process: web workers, Celery workers, beat.

prometheus-client keeps its values in the process that counts (or in files of one host under
PROMETHEUS_MULTIPROC_DIR); a Toss confirm counted inside a Celery worker on another machine would
never reach the web tier's `/metrics`. Business events and Celery task figures are rare next to HTTP
requests (one or a few Redis commands each, pipelined), so they are added up in one Redis hash that
every process already reaches, and `/metrics` reads that hash at scrape time. Request, database and
cache timings stay in-process (see registry.py): they are hot paths.

A Redis outage loses those increments (logged) and never fails the business operation.
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from django.conf import settings
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from redis.exceptions import RedisError

from apps.core.redis import get_redis

logger = logging.getLogger(__name__)

_SEP = "\x1f"


def _key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'cloudpos'}:ops:metrics"


def _field(name: str, labels: dict[str, str]) -> str:
    return f"{name}{_SEP}{json.dumps(labels, sort_keys=True, ensure_ascii=False)}"


class _Shared:
    kind = ""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = ()):
        self.name, self.documentation, self.labelnames = name, documentation, tuple(labelnames)
        SHARED_METRICS.append(self)

    def _labels(self, labels: dict) -> dict[str, str]:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {sorted(labels)}")
        return {key: str(labels[key]) for key in self.labelnames}

    def _write(self, commands: Iterable[tuple[str, str, float]]) -> None:
        try:
            pipe = get_redis().pipeline(transaction=False)
            for op, field, value in commands:
                if op == "incr":
                    pipe.hincrbyfloat(_key(), field, value)
                else:
                    pipe.hset(_key(), field, repr(float(value)))
            pipe.execute()
        except RedisError as exc:
            logger.warning("metric %s not recorded: %s", self.name, exc)


class SharedCounter(_Shared):
    kind = "counter"

    def inc(self, amount: float = 1, **labels) -> None:
        self._write([("incr", _field(self.name, self._labels(labels)), amount)])


class SharedGauge(_Shared):
    kind = "gauge"

    def set(self, value: float, **labels) -> None:
        self._write([("set", _field(self.name, self._labels(labels)), value)])


class SharedHistogram(_Shared):
    kind = "histogram"

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = (), *, buckets: Sequence[float]):
        super().__init__(name, documentation, labelnames)
        self.buckets = tuple(sorted(buckets)) + (math.inf,)

    def observe(self, value: float, **labels) -> None:
        labels = self._labels(labels)
        # Cumulative buckets, as exposed: every bound at or above the value counts it.
        commands = [
            ("incr", _field(f"{self.name}_bucket", {**labels, "le": _le(bound)}), 1)
            for bound in self.buckets
            if value <= bound
        ]
        commands.append(("incr", _field(f"{self.name}_sum", labels), value))
        commands.append(("incr", _field(f"{self.name}_count", labels), 1))
        self._write(commands)


def _le(bound: float) -> str:
    return "+Inf" if bound == math.inf else repr(float(bound))


SHARED_METRICS: list[_Shared] = []


def read_all() -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every stored sample, by stored name (histogram parts under their _bucket/_sum/_count names)."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = defaultdict(list)
    for raw_field, raw_value in get_redis().hgetall(_key()).items():
        field = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
        name, _, labels = field.partition(_SEP)
        try:
            samples[name].append((json.loads(labels), float(raw_value)))
        except ValueError:
            continue
    return samples


def value(name: str, **labels) -> float:
    """One stored sample (0 when never written): for tests and the dashboard's sanity checks."""
    wanted = {key: str(val) for key, val in labels.items()}
    for stored, number in read_all().get(name, []):
        if stored == wanted:
            return number
    return 0.0


def collect() -> Iterator[Metric]:
    """Metric families of every shared metric, read from Redis in one HGETALL."""
    samples = read_all()
    for metric in SHARED_METRICS:
        if isinstance(metric, SharedCounter):
            family = CounterMetricFamily(metric.name, metric.documentation, labels=metric.labelnames)
            for labels, number in samples.get(metric.name, []):
                family.add_metric([labels.get(n, "") for n in metric.labelnames], number)
        elif isinstance(metric, SharedGauge):
            family = GaugeMetricFamily(metric.name, metric.documentation, labels=metric.labelnames)
            for labels, number in samples.get(metric.name, []):
                family.add_metric([labels.get(n, "") for n in metric.labelnames], number)
        else:
            family = HistogramMetricFamily(metric.name, metric.documentation, labels=metric.labelnames)
            series: dict[tuple, dict] = defaultdict(lambda: {"buckets": {}, "sum": 0.0})
            for labels, number in samples.get(f"{metric.name}_bucket", []):
                key = tuple(labels.get(n, "") for n in metric.labelnames)
                series[key]["buckets"][labels.get("le", "+Inf")] = number
            for labels, number in samples.get(f"{metric.name}_sum", []):
                series[tuple(labels.get(n, "") for n in metric.labelnames)]["sum"] = number
            for key, data in series.items():
                buckets = [(_le(b), data["buckets"].get(_le(b), 0.0)) for b in metric.buckets]
                family.add_metric(list(key), buckets, data["sum"])
        yield family
