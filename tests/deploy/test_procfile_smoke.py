"""Production smoke test: the Procfile deploys.

As an operator's platform would: a fresh PostgreSQL database and a Redis database of their own,
DEBUG=0 with a secret key, allowed hosts and the HTTPS redirect on; the Procfile's `release` line
(migrate), the demo seed, then its `web` (collectstatic && gunicorn), `worker` and `beat` lines,
each with `bash -c` in its own process group. The scenarios then drive them over real HTTP
through a stand-in for the TLS-terminating proxy (see procfile.TlsTerminatingProxy): pair a kiosk
and pay by the simulated card, confirmed by the real worker; pair a POS and sell for cash; fetch a
static file under its hashed name; check beat runs. Everything is stopped at the end, also on a
failure, and a failing scenario prints the processes' logs (tests/deploy/conftest.py).

A new HTTP check is one more `test_…(stack)` function: `stack.browser()` is a fresh terminal's
browser, `stack.base_url` the public https address.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from urllib.parse import urlsplit

import pytest
import redis
import requests

from .procfile import (
    SmokeStack,
    create_smoke_database,
    drop_smoke_database,
    free_port,
    production_env,
    smoke_redis_url,
)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL,
        reason="needs the PostgreSQL and Redis servers of scripts/services.sh (make test)",
    ),
]

KIOSK_PRODUCT = "마카롱"  # demo menu: no options, no stock tracking
POS_PRODUCT = "마카롱"
CASHIER_PIN = "1234"  # seed_demo's cashier
PAID_WITHIN_SECONDS = 30
ONE_YEAR = 365 * 24 * 3600
METRICS_TOKEN = "smoke-metrics-token-0123456789"


def _answers(stack: SmokeStack) -> bool:
    try:
        response = requests.get(
            f"{stack.backend_url}/pair/", headers={"X-Forwarded-Proto": "https"}, timeout=2, allow_redirects=False
        )
    except requests.RequestException:
        return False
    return response.status_code == 200


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The Procfile's processes on a fresh database, started once for this module's scenarios."""
    workdir = tmp_path_factory.mktemp("procfile")
    smoke_db = create_smoke_database(DATABASE_URL)
    smoke_redis = smoke_redis_url(REDIS_URL)
    redis.Redis.from_url(smoke_redis).flushdb()
    port = free_port()
    stack = SmokeStack(
        workdir, port, production_env(database_url=smoke_db, redis_url=smoke_redis, workdir=workdir, port=port)
    )
    # /metrics (apps/ops, README "Operations"): a scraper's token, counters merged over gunicorn's workers
    stack.env.update({"METRICS_TOKEN": METRICS_TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus")})
    try:
        started = time.monotonic()
        release = stack.run_once("release")
        stack.timings["release"] = time.monotonic() - started
        assert release.returncode == 0, f"release failed:\n{stack.logs()}"
        seed = stack.manage("seed_demo")
        stack.seed_output = seed.stdout + seed.stderr
        assert seed.returncode == 0, f"seed_demo failed:\n{stack.logs()}"
        stack.timings["seed_demo"] = time.monotonic() - started - stack.timings["release"]

        for name in ("web", "worker", "beat"):
            stack.start(name)
        stack.wait_until("the web process to answer", lambda: _answers(stack), timeout=90, watch=("web",))
        stack.timings["web up (collectstatic, gunicorn)"] = time.monotonic() - started - sum(stack.timings.values())
        stack.wait_until(
            "the worker to be ready",
            lambda: " ready." in stack.processes["worker"].log(),
            timeout=60,
            watch=("worker",),
        )
        yield stack
    finally:
        stack.stop_all()
        left = {name: p.popen.pid for name, p in stack.processes.items() if p.popen and p.popen.poll() is None}
        drop_smoke_database(smoke_db)
        redis.Redis.from_url(smoke_redis).flushdb()
        assert not left, f"processes still running after SIGKILL: {left}"


# --- helpers: what a browser reads from a page --------------------------------------------------


def csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, f"no CSRF token on the page:\n{html[:2000]}"
    return match.group(1)


def ok(response: requests.Response, path: str | None = None) -> requests.Response:
    """A page that rendered (after redirects), optionally at the expected path."""
    assert response.status_code == 200, (
        f"{response.request.method} {response.url} → {response.status_code}\n{response.text[:3000]}"
    )
    if path is not None:
        assert urlsplit(response.url).path == path, f"ended at {response.url}, expected {path}"
    return response


def kiosk_product_id(browser: requests.Session, base: str, name: str) -> int:
    """The kiosk menu card of `name`, on whichever category tab it is."""
    menu = ok(browser.get(f"{base}/kiosk/menu/"))
    pages = [menu.text]
    tabs = dict.fromkeys(re.findall(r'href="(/kiosk/menu/\?category=[^"]+)"', menu.text))
    for tab in tabs:
        pages.append(ok(browser.get(base + tab.replace("&amp;", "&"))).text)
    for html in pages:
        match = re.search(rf'href="/kiosk/products/(\d+)/" data-speak="{re.escape(name)}, ', html)
        if match:
            return int(match.group(1))
    raise AssertionError(f"{name} is on no kiosk menu tab")


def won(text: str) -> int:
    return int(text.replace(",", "").removesuffix("원"))


# --- scenarios ------------------------------------------------------------------------------------


def test_web_answers_only_over_https_with_production_headers(stack):
    # plain HTTP is redirected to HTTPS (SECURE_SSL_REDIRECT), as when the proxy forwards http
    plain = requests.get(f"{stack.backend_url}/pair/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"{stack.base_url}/pair/"

    # through the TLS proxy the page renders with HSTS and without DEBUG's error pages
    browser = stack.browser()
    page = ok(browser.get(f"{stack.base_url}/pair/"), "/pair/")
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    missing = browser.get(f"{stack.base_url}/no-such-page/")
    assert missing.status_code == 404
    assert "URLconf" not in missing.text  # DEBUG=0: no technical 404 page


def test_kiosk_pairs_and_a_simulated_card_checkout_is_confirmed_by_the_worker(stack):
    base, browser = stack.base_url, stack.browser()

    # the kiosk's browser is paired with the code seed_demo printed, on the /pair/ form
    pair_page = ok(browser.get(f"{base}/pair/"))
    welcome = browser.post(
        f"{base}/pair/", data={"code": stack.pairing_code("KIOSK"), "csrfmiddlewaretoken": csrf(pair_page.text)}
    )
    ok(welcome, "/kiosk/")

    # a customer orders a takeout macaron
    start = ok(browser.get(f"{base}/kiosk/start/"))
    menu = browser.post(
        f"{base}/kiosk/start/", data={"service_type": "TAKEOUT", "csrfmiddlewaretoken": csrf(start.text)}
    )
    ok(menu, "/kiosk/menu/")
    product_id = kiosk_product_id(browser, base, KIOSK_PRODUCT)
    product = ok(browser.get(f"{base}/kiosk/products/{product_id}/"))
    added = browser.post(
        f"{base}/kiosk/products/{product_id}/", data={"qty": "1", "csrfmiddlewaretoken": csrf(product.text)}
    )
    ok(added, "/kiosk/menu/")

    # and pays by the simulated card
    pay = ok(browser.get(f"{base}/kiosk/pay/"), "/kiosk/pay/")
    method = re.search(r'name="method" value="(\d+)"[^>]*data-testid="method-simulated"', pay.text)
    assert method, pay.text[:3000]
    window = browser.post(f"{base}/kiosk/pay/", data={"method": method.group(1), "csrfmiddlewaretoken": csrf(pay.text)})
    ok(window)
    assert urlsplit(window.url).path.startswith("/payments/simulated/checkout/")
    token = re.search(r'name="t" value="([^"]+)"', window.text).group(1)
    back = browser.post(window.url, data={"action": "approve", "t": token, "csrfmiddlewaretoken": csrf(window.text)})
    ok(back)
    order_id = re.search(r"^/kiosk/orders/([^/]+)/", urlsplit(back.url).path)
    assert order_id, f"not back on the kiosk: {back.url}"

    # then the real worker confirms the payment (the processing screen polls this) and the kiosk
    # shows the order number
    polled: dict = {}

    def paid() -> bool:
        status = browser.get(f"{base}/kiosk/orders/{order_id.group(1)}/status", timeout=10)
        assert status.status_code == 200, status.text
        polled.update(status.json())
        return polled["state"] == "paid"

    stack.wait_until("the worker to confirm the card payment", paid, timeout=PAID_WITHIN_SECONDS, watch=("worker",))
    assert polled["status"] == "PAID"
    done = ok(browser.get(f"{base}/kiosk/orders/{order_id.group(1)}/"))
    assert 'data-testid="order-number"' in done.text

    # every cookie the terminal holds is Secure (DEBUG=0), and the proxy got them back to the app
    cookies = {cookie.name: cookie for cookie in browser.cookies}
    assert {"cloudpos_device", "sessionid", "csrftoken"} <= set(cookies)
    assert all(cookie.secure for cookie in cookies.values()), {n: c.secure for n, c in cookies.items()}


def test_pos_pairs_over_the_api_and_sells_for_cash(stack):
    base, browser = stack.base_url, stack.browser()

    # the POS pairs through the device API and then identifies itself with its token
    pair = browser.post(f"{base}/api/devices/pair", json={"code": stack.pairing_code("POS")})
    assert pair.status_code == 201, pair.text
    assert pair.json()["kind"] == "POS"
    browser.headers["Authorization"] = f"Device {pair.json()['deviceToken']}"

    # the cashier logs in with the PIN and opens the drawer
    login = ok(browser.get(f"{base}/pos/"), "/pos/login/")
    home = ok(browser.post(login.url, data={"pin": CASHIER_PIN, "csrfmiddlewaretoken": csrf(login.text)}), "/pos/")
    assert 'data-testid="shift-open"' in home.text
    opened = browser.post(
        f"{base}/pos/shift/open/", data={"opening_float": "30000", "csrfmiddlewaretoken": csrf(home.text)}
    )
    ok(opened, "/pos/")

    # sells a macaron
    grid = ok(browser.get(f"{base}/pos/", params={"q": POS_PRODUCT}))
    product = re.search(
        rf'name="product_id" value="(\d+)">\s*<button[^>]*>\s*<span class="tile-name">{re.escape(POS_PRODUCT)}</span>',
        grid.text,
    )
    assert product, grid.text[:3000]
    cart = browser.post(
        f"{base}/pos/cart/add/", data={"product_id": product.group(1), "csrfmiddlewaretoken": csrf(grid.text)}
    )
    ok(cart, "/pos/")
    pay = ok(browser.post(f"{base}/pos/checkout/", data={"csrfmiddlewaretoken": csrf(cart.text)}))
    public_id = re.fullmatch(r"/pos/pay/([^/]+)/", urlsplit(pay.url).path)
    assert public_id, pay.url

    # and takes 10,000원 in cash
    due = won(re.search(r'data-testid="amount-due">([\d,]+원)<', pay.text).group(1))
    cash = re.search(
        r'data-testid="method-CASH".*?name="form_key" value="([^"]+)">'
        r'\s*<input type="hidden" name="method_id" value="(\d+)"',
        pay.text,
        re.S,
    )
    assert cash and 0 < due < 10_000, pay.text[:3000]
    paid = browser.post(
        f"{base}/pos/pay/{public_id.group(1)}/submit/",
        data={
            "form_key": cash.group(1),
            "method_id": cash.group(2),
            "quick_tendered": "10000",
            "csrfmiddlewaretoken": csrf(pay.text),
        },
    )

    # then the paid screen shows the change
    ok(paid)
    assert 'data-testid="pay-done"' in paid.text
    change = re.search(r'data-testid="change">([\d,]+원)<', paid.text)
    assert change and won(change.group(1)) == 10_000 - due
    screen = ok(browser.get(f"{base}/pos/pay/{public_id.group(1)}/"))
    assert 'data-testid="pay-done"' in screen.text


def test_a_static_file_is_served_under_its_hashed_name_for_a_year(stack):
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]
    browser = stack.browser()

    for source in ("vendor/htmx/htmx.min.js", "css/app.css"):
        hashed = manifest[source]
        assert hashed != source
        response = browser.get(f"{stack.base_url}/static/{hashed}")
        assert response.status_code == 200, (hashed, response.status_code)
        assert response.content == (stack.static_root / hashed).read_bytes()
        max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
        assert max_age >= ONE_YEAR and "immutable" in response.headers["Cache-Control"]

    # the vendored Chart.js names its source map, rewritten to the map's hashed name, and served
    chart = browser.get(f"{stack.base_url}/static/{manifest['vendor/chartjs/chart.umd.min.js']}")
    map_name = re.search(rb"sourceMappingURL=(\S+)", chart.content).group(1).decode()
    assert map_name == manifest["vendor/chartjs/chart.umd.min.js.map"].rsplit("/", 1)[-1]
    assert browser.get(f"{stack.base_url}/static/vendor/chartjs/{map_name}").status_code == 200


def test_metrics_are_scraped_from_gunicorn_with_the_token(stack):
    for _ in range(4):  # a few requests, so both gunicorn workers are likely to have counted some
        ok(stack.browser().get(f"{stack.base_url}/pair/"), "/pair/")
    # the scraper talks to the process directly (plain HTTP, its own Host): no HTTPS redirect
    assert requests.get(f"{stack.backend_url}/metrics", timeout=10).status_code == 403
    scraped = requests.get(
        f"{stack.backend_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert scraped.status_code == 200, scraped.text[:2000]
    counted = re.findall(r'^cloudpos_http_requests_total\{[^}]*view="stores:pair"[^}]*\} (\d+)', scraped.text, re.M)
    assert counted and sum(float(n) for n in counted) >= 4, scraped.text[:3000]


def test_worker_and_beat_keep_running(stack):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "beat: Starting..." not in stack.processes["beat"].log():
        time.sleep(0.25)

    assert "beat: Starting..." in stack.processes["beat"].log()
    assert list(stack.workdir.glob("celerybeat-schedule*")), "beat wrote no schedule file"
    assert stack.processes["beat"].alive() and stack.processes["worker"].alive() and stack.processes["web"].alive()


BRIDGE_POLL_WAIT = 8  # seconds each bridge's long-poll waits with no job (20 s in a shop)
ANSWERED_WITHIN = 3.0  # seconds: a kiosk page while every bridge waits in its poll


def _paired_bridge_tokens(stack: SmokeStack, count: int) -> list[str]:
    """`count` more BRIDGE devices in the demo store, paired over the API as `python -m bridge pair` does."""
    script = (
        "from apps.stores.models import Device\n"
        "from apps.stores.services import device_issue_pairing_code\n"
        "store = Device.objects.filter(kind=Device.Kind.BRIDGE).first().store\n"
        f"for i in range({count}):\n"
        "    device = Device.objects.create(store=store, kind=Device.Kind.BRIDGE, name=f'smoke bridge {i}')\n"
        "    print('CODE', device_issue_pairing_code(device))\n"
    )
    made = stack.manage("shell", "-c", script)
    codes = re.findall(r"^CODE (\d{6})$", made.stdout, re.M)
    assert len(codes) == count, made.stdout + made.stderr
    tokens = []
    for code in codes:
        paired = stack.browser().post(f"{stack.base_url}/api/devices/pair", json={"code": code}, timeout=10)
        assert paired.status_code == 201, paired.text[:2000]
        tokens.append(paired.json()["deviceToken"])
    return tokens


def test_bridges_long_polling_do_not_block_a_kiosk_request(stack):
    # given one more bridge than the web tier has worker processes, each waiting in its long-poll
    workers = int(stack.env["WEB_CONCURRENCY"])
    tokens = _paired_bridge_tokens(stack, workers + 1)
    answers: list[int] = []

    def poll(token: str) -> None:
        response = stack.browser().post(
            f"{stack.base_url}/api/bridge/poll",
            json={"wait": BRIDGE_POLL_WAIT},
            headers={"Authorization": f"Device {token}"},
            timeout=BRIDGE_POLL_WAIT + 20,
        )
        answers.append(response.status_code)

    polls = [threading.Thread(target=poll, args=(token,)) for token in tokens]
    for thread in polls:
        thread.start()
    time.sleep(1.5)  # every poll has reached the server and waits
    # when a kiosk asks for a page meanwhile
    started = time.monotonic()
    page = stack.browser().get(f"{stack.base_url}/pair/", timeout=BRIDGE_POLL_WAIT + 20)
    took = time.monotonic() - started
    # then it is answered at once, while the polls still wait (each holds a thread, not a process)
    ok(page, "/pair/")
    assert took < ANSWERED_WITHIN, f"a kiosk page took {took:.1f}s behind {len(tokens)} long-polling bridges"
    assert not answers, "the long-polls answered before their wait was over"
    for thread in polls:
        thread.join(timeout=BRIDGE_POLL_WAIT + 30)
    assert answers == [200] * len(tokens)
