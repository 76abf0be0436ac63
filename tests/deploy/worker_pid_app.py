"""A WSGI app that answers with the pid of the gunicorn worker serving the request: tells which
worker holds a connection (tests/deploy/test_gunicorn_workers.py)."""

import os


def application(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
