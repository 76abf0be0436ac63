"""Every metric CloudPOS exposes, in one place (the Grafana dashboard and README use these names).

In-process metrics (prometheus-client): HTTP requests, database and cache timings. Under gunicorn
set PROMETHEUS_MULTIPROC_DIR (an empty directory, the same for all workers of one host, before the
process starts) and prometheus-client writes them to per-process files that `/metrics` merges;
gunicorn.conf.py removes a dead worker's live files.

Shared metrics (Redis, see shared.py): business events and Celery tasks, counted in any process.
Scrape-time gauges (collectors.py): figures read from PostgreSQL/Redis when `/metrics` is scraped.
"""

from prometheus_client import Counter, Histogram

from .shared import SharedCounter, SharedGauge, SharedHistogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)
TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

# --- in-process -------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "cloudpos_http_requests", "HTTP requests answered, by view name, method and status", ["view", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "cloudpos_http_request_duration_seconds",
    "Time to answer a request, by view name",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
DB_QUERY = Histogram(
    "cloudpos_db_query_duration_seconds",
    "Database statement time during requests, by connection alias",
    ["alias"],
    buckets=QUERY_BUCKETS,
)
DB_ERRORS = Counter("cloudpos_db_query_errors", "Database statements that raised, by alias", ["alias"])
CACHE_OPERATION = Histogram(
    "cloudpos_cache_operation_duration_seconds",
    "Django cache (Redis) call time, by operation",
    ["operation"],
    buckets=QUERY_BUCKETS,
)

# --- shared (Redis) ------------------------------------------------------------------------------
CHECKOUTS_STARTED = SharedCounter(
    "cloudpos_checkouts_started", "Orders placed from a cart (checkout started), by channel", ["channel"]
)
CHECKOUTS_PAID = SharedCounter("cloudpos_checkouts_paid", "Orders that became PAID, by channel", ["channel"])
ORDERS_EXPIRED = SharedCounter("cloudpos_orders_expired", "Unpaid orders expired by the beat job", ["channel"])
ORDERS_CANCELED = SharedCounter("cloudpos_orders_canceled", "Unpaid orders canceled (not expired)", ["channel"])
PAYMENT_OUTCOMES = SharedCounter(
    "cloudpos_payment_outcomes",
    "Payment status moves, by provider (CASH, CARD_TERMINAL, TOSS, SIMULATED) and the status reached",
    ["provider", "outcome"],
)
WEBHOOKS_RECEIVED = SharedCounter(
    "cloudpos_webhooks_received", "Payment webhooks received (including replays), by provider", ["provider"]
)
WEBHOOKS_DEDUPLICATED = SharedCounter(
    "cloudpos_webhooks_deduplicated", "Payment webhooks recognised as replays and ignored", ["provider"]
)

CELERY_TASKS_STARTED = SharedCounter("cloudpos_celery_tasks_started", "Celery tasks started by a worker", ["task"])
CELERY_TASKS_SUCCEEDED = SharedCounter("cloudpos_celery_tasks_succeeded", "Celery tasks that returned", ["task"])
CELERY_TASK_FAILURES = SharedCounter(
    "cloudpos_celery_task_failures", "Celery tasks that raised (after their last retry)", ["task"]
)
CELERY_TASK_RETRIES = SharedCounter("cloudpos_celery_task_retries", "Celery task retries scheduled", ["task"])
CELERY_TASK_RUNTIME = SharedHistogram(
    "cloudpos_celery_task_runtime_seconds", "Celery task run time", ["task"], buckets=TASK_BUCKETS
)

BATCH_LAST_SUCCESS = SharedGauge(
    "cloudpos_batch_last_success_timestamp_seconds", "Unix time of the batch job's last successful run", ["job"]
)
BATCH_LAST_DURATION = SharedGauge(
    "cloudpos_batch_last_duration_seconds", "Duration of the batch job's last run (successful or not)", ["job"]
)
BATCH_LAST_ROWS = SharedGauge(
    "cloudpos_batch_last_rows",
    "What the job's last successful run wrote: store-days rebuilt (rebuild_rollups), stores closed (close)",
    ["job"],
)
BATCH_LAST_FAILURE = SharedGauge(
    "cloudpos_batch_last_failure_timestamp_seconds", "Unix time of the batch job's last failed run", ["job"]
)
