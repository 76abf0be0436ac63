"""`python -m bridge pair CODE --server URL` and `python -m bridge run [--server URL]`."""

from __future__ import annotations

import argparse
import logging
import signal
from pathlib import Path

from .agent import Agent
from .client import Client, Revoked, ServerError
from .state import Journal, default_state_dir, load_token, save_token


def _pair(args) -> int:
    client = Client(args.server)
    try:
        answer = client.pair(args.code)
    except (ValueError, Revoked, ServerError) as err:
        print(f"pairing failed: {err}")
        return 2
    if answer.get("kind") != "BRIDGE":
        print(f"this code belongs to a {answer.get('kind')} device, not a bridge")
        return 2
    path = save_token(args.state_dir, server=args.server, token=answer["deviceToken"], store_id=answer["storeId"])
    print(f"paired with store {answer['storeId']}; token saved in {path}")
    return 0


def _run(args) -> int:
    saved = load_token(args.state_dir)
    if saved is None:
        print(f"not paired: run `python -m bridge pair CODE --server URL` first (state dir {args.state_dir})")
        return 2
    server = args.server or saved["server"]
    agent = Agent(
        Client(server, saved["token"]),
        Journal(args.state_dir),
        wait=args.wait,
        terminal_timeout=args.terminal_timeout,
        status_every=args.status_every,
    )

    def stop(signum, frame):
        agent.stopped = True

    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("bridge").info("bridge running against %s", server)
    return agent.run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge", description="CloudPOS store bridge")
    parser.add_argument("--state-dir", type=Path, default=default_state_dir(), help="token and journal")
    parser.add_argument("--log-level", default="INFO")
    commands = parser.add_subparsers(dest="command", required=True)
    pair = commands.add_parser("pair", help="pair with a 6-digit code from admin → 기기")
    pair.add_argument("code")
    pair.add_argument("--server", required=True)
    run = commands.add_parser("run", help="poll the server for print and terminal jobs")
    run.add_argument("--server", default="")
    run.add_argument("--wait", type=int, default=20, help="long-poll seconds")
    run.add_argument("--terminal-timeout", type=float, default=60.0, help="seconds to wait for the card")
    run.add_argument("--status-every", type=float, default=10.0, help="seconds between printer status checks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    return _pair(args) if args.command == "pair" else _run(args)
