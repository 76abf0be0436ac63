"""The one exception type for broken business rules.

A service raises `DomainError` with a stable machine `code`, a human message (translated, shown to a
cashier or a customer as is) and the HTTP status the API should answer with. Views turn it into a
form error, a 4xx HTMX partial or a JSON `{"error": {"code", "message"}}` body — never a 500.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status
        self.details = details or {}

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422
