import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing smoke scenario prints the Procfile processes' logs (web, worker, beat) with it."""
    outcome = yield
    report = outcome.get_result()
    stack = getattr(item, "funcargs", {}).get("stack")
    if report.failed and report.when == "call" and stack is not None:
        report.sections.append(("Procfile process logs", stack.logs()))
