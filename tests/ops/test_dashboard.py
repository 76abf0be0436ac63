"""deploy/grafana/cloudpos.json is valid Grafana JSON whose queries use metrics /metrics exports."""

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "cloudpos.json"
SUFFIXES = ("_bucket", "_count", "_sum", "_total")


def _exprs(dashboard: dict) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


@pytest.mark.django_db
def test_every_dashboard_query_names_an_exported_metric(client, metrics_token):
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "cloudpos-ops" and dashboard["panels"]
    # what /metrics exports (families are listed even before their first sample)
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
    exported = {family.name for family in text_string_to_metric_families(response.content.decode())}
    used = set()
    for expr in _exprs(dashboard):
        assert expr.count("(") == expr.count(")"), expr
        for name in re.findall(r"\bcloudpos_[a-z0-9_]+", expr):
            base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), name)
            assert base in exported, f"{name} in {expr!r} is not exported"
            used.add(base)
    # the panels: checkouts, payment outcomes, unknowns, p95 latency, queue length, last close
    assert {
        "cloudpos_checkouts_started",
        "cloudpos_payment_outcomes",
        "cloudpos_payments_unknown",
        "cloudpos_http_request_duration_seconds",
        "cloudpos_celery_queue_length",
        "cloudpos_business_day_close_age_seconds",
    } <= used


def test_panels_do_not_overlap():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    cells = set()
    for panel in dashboard["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24
        area = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not area & cells, panel["title"]
        cells |= area
