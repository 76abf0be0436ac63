"""The bridge's HTTP client: the device token in `Authorization: Device …`, JSON in and out."""

from __future__ import annotations

import requests

USER_AGENT = "cloudpos-bridge/1.0"


class Revoked(Exception):
    """The server refused the token (401/403): the bridge was revoked or never paired."""


class ServerError(Exception):
    """The server could not be reached or answered 5xx: try again later."""


class Client:
    def __init__(self, server: str, token: str = "", *, timeout: float = 10.0):
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def _call(self, method: str, path: str, *, json: dict | None = None, timeout: float | None = None) -> dict:
        headers = {"Authorization": f"Device {self.token}"} if self.token else {}
        try:
            response = self.session.request(
                method, self.server + path, json=json, headers=headers, timeout=timeout or self.timeout
            )
        except requests.RequestException as err:
            raise ServerError(str(err)) from err
        if response.status_code in (401, 403):
            raise Revoked(response.text[:200])
        if response.status_code >= 500:
            raise ServerError(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as err:
            raise ServerError(f"HTTP {response.status_code}: not JSON") from err
        if response.status_code >= 400:
            error = body.get("error", {}) if isinstance(body, dict) else {}
            raise ValueError(f"{response.status_code} {error.get('code')}: {error.get('message')}")
        return body

    def pair(self, code: str) -> dict:
        return self._call("POST", "/api/devices/pair", json={"code": code})

    def config(self) -> dict:
        return self._call("GET", "/api/bridge/config")

    def poll(self, *, wait: int, printers: list[dict], interrupted: list[int]) -> dict:
        body = {"wait": wait, "printers": printers, "interrupted": interrupted}
        return self._call("POST", "/api/bridge/poll", json=body, timeout=wait + self.timeout)

    def ack_print(self, job_id: int, *, ok: bool, error: str = "") -> dict:
        return self._call("POST", f"/api/bridge/print-jobs/{job_id}/ack", json={"ok": ok, "error": error[:200]})

    def terminal_result(self, job_id: int, result: dict) -> dict:
        return self._call("POST", f"/api/bridge/terminal-jobs/{job_id}/result", json=result)
