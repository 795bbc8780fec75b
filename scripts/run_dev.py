"""`make run`: the development server and the jobs worker side by side, stopped together.

Started by the Makefile with `exec`, so this process is the one `make` forwards
SIGTERM to, and the one Ctrl-C reaches. On SIGINT or SIGTERM (or when either
child ends on its own) it sends SIGTERM to both children, waits up to
STOP_GRACE seconds for them, kills what is left, and exits. The worker finishes
the mail in hand and gives the rest of its batch back (app.jobs).

PORT is put in the children's environment: in development BASE_URL follows it
(config.DevelopmentConfig), so the links in mails and API answers point here.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

STOP_GRACE = 4.0  # seconds; the whole stop stays within 5 s


def _stop(children: list[subprocess.Popen], grace: float = STOP_GRACE) -> None:
    for child in children:
        if child.poll() is None:
            try:
                child.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for child in children:
        remaining = max(0.0, deadline - time.monotonic())
        try:
            child.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 5000))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between jobs worker passes")
    args = parser.parse_args(argv)

    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    # The demo's bureau (東北経済産業局: name, contact) unless ORG_* are set (app/demo/identity.py).
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from app.demo.identity import DEMO_IDENTITY

    env = {**DEMO_IDENTITY, **os.environ, "PORT": str(args.port)}
    stopping = False

    def _on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)

    children = [
        subprocess.Popen([flask, "jobs", "worker", "--interval", f"{args.interval:g}"], env=env),
        subprocess.Popen([flask, "run", "--host", args.host, "--port", str(args.port)], env=env),
    ]
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.1)
    finally:
        _stop(children)
    print("Tsudoi stopped (server and jobs worker).", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
