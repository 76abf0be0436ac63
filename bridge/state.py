"""What the bridge keeps on disk: its device token and the journal of jobs it has completed.

The journal is append-only, one line per event, flushed and fsynced before the bridge acknowledges
anything: a print job whose id is in it is never printed again (its acknowledgement may have been
lost), and a card approval marked "started" but not "finished" was interrupted, so the server is
told and net-cancels it instead of ever sending it to the terminal again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TOKEN_FILE = "token.json"
JOURNAL_FILE = "journal.log"


def default_state_dir() -> Path:
    return Path(os.environ.get("BRIDGE_STATE_DIR") or Path.home() / ".cloudpos-bridge")


def save_token(state_dir: Path, *, server: str, token: str, store_id: int) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / TOKEN_FILE
    tmp = path.with_suffix(".tmp")
    # Owner-only: the token is the bridge's whole credential.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"server": server, "token": token, "storeId": store_id}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def load_token(state_dir: Path) -> dict | None:
    path = state_dir / TOKEN_FILE
    if not path.exists():
        return None
    with path.open() as handle:
        return json.load(handle)


class Journal:
    """Completed print jobs and the state of card approvals, in `journal.log`."""

    def __init__(self, state_dir: Path):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / JOURNAL_FILE
        self.printed: set[int] = set()
        self.acked: set[int] = set()
        self.started: set[int] = set()
        self.finished: set[int] = set()
        if self.path.exists():
            for raw in self.path.read_text().splitlines():
                parts = raw.split()
                if len(parts) != 2 or not parts[1].isdigit():
                    continue  # a line torn by a crash mid-write
                self._apply(parts[0], int(parts[1]))

    def _apply(self, event: str, job_id: int) -> None:
        {
            "printed": self.printed,
            "acked": self.acked,
            "terminal-started": self.started,
            "terminal-finished": self.finished,
        }.get(event, set()).add(job_id)

    def record(self, event: str, job_id: int) -> None:
        with self.path.open("a") as handle:
            handle.write(f"{event} {job_id}\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._apply(event, job_id)

    def interrupted(self) -> list[int]:
        """Approvals sent to a terminal whose answer this bridge never got (it was stopped)."""
        return sorted(self.started - self.finished)
