"""`make run PORT=...`: the links in mails and API answers use that port, and SIGTERM stops everything in 5 s.

Runs the Makefile's own target (with a temporary SQLite database and a free port),
registers through the JSON API, waits for the jobs worker to deliver the mails
(suppressed in development: marked sent with their links filled in), then sends
SIGTERM to `make` and checks that make, the server and the worker are all gone.
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import socket
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "flask").exists(), reason="needs the project's .venv")


class _SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take messages (the worker delivers over SMTP; the test reads what it sent)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        super().__init__(("127.0.0.1", 0), _SMTPHandler)


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(email.message_from_bytes(data, policy=email.policy.default))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def _post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found.append(child)
        found.extend(_descendants(child))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _answers(questions: list[dict]) -> dict:
    out = {}
    for q in questions:
        if q["kind"] == "single":
            out[str(q["id"])] = q["choices"][0]
        elif q["kind"] == "multiple":
            out[str(q["id"])] = q["choices"][:1]
        elif q["kind"] in ("yes_no", "yesno", "boolean", "checkbox"):
            out[str(q["id"])] = True
        elif q["required"]:
            out[str(q["id"])] = "テスト"
    return out


def _until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_make_run_links_follow_the_port_and_sigterm_stops_server_and_worker(tmp_path):
    port = _free_port()
    db_file = tmp_path / "run.sqlite3"
    env = {k: v for k, v in os.environ.items()
           if k not in ("TSUDOI_ENV", "FLASK_ENV", "BASE_URL", "DATABASE_URL", "PORT", "MAKEFLAGS", "MAKELEVEL")}
    env["DATABASE_URL"] = f"sqlite:///{db_file}"
    smtp = _SMTPSink()
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    env.update(MAIL_SUPPRESS_SEND="false", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.server_address[1]))
    log = open(tmp_path / "make.log", "w")
    # -o: never reinstall the shared virtualenv from a test.
    make = subprocess.Popen(["make", "-o", ".venv/bin/.installed", "run", f"PORT={port}"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def api_up():
            try:
                return _get(f"{base}/api/v1/events?per_page=100")
            except (urllib.error.URLError, ConnectionError, OSError):
                assert make.poll() is None, (tmp_path / "make.log").read_text()
                return None

        events = _until(api_up, 120, "the server")["items"]
        processes = _until(lambda: (d := _descendants(make.pid)) and len(d) >= 2 and d, 10, "both processes")
        registered = None
        for ev in events:
            if ev["registration_state"] != "open":
                continue
            tickets = [t for t in ev["ticket_types"]]
            status, body = _post(f"{base}/api/v1/events/{ev['id']}/registrations", {
                "ticket_type_id": tickets[0]["id"] if tickets else None,
                "family_name": "山田", "given_name": "花子", "family_name_kana": "ヤマダ", "given_name_kana": "ハナコ",
                "email": "hanako@example.jp", "organization": "テスト株式会社", "organization_type": "company",
                "prefecture": "04", "consent": True, "answers": _answers(ev["questions"]),
            })
            if status == 201:
                registered = body
                break
        assert registered, "no open event took the registration"
        assert registered["manage_url"].startswith(f"{base}/r/")

        def delivered():
            return [m for m in smtp.messages if m["To"] and "hanako@example.jp" in m["To"]]

        mails = _until(delivered, 60, "the worker to deliver the confirmation")
        text = "\n".join(part.get_content() for m in mails for part in m.walk()
                         if part.get_content_type() in ("text/plain", "text/html"))
        token_url = registered["manage_url"]
        assert token_url in text  # manage link
        assert f"{token_url}/ticket" in text  # 受付票
        assert f"{token_url}/calendar.ics" in text
        assert "127.0.0.1:5000" not in text

        make.send_signal(signal.SIGTERM)
        start = time.monotonic()
        make.wait(timeout=5)
        _until(lambda: not any(_alive(p) for p in processes), max(0.1, 5 - (time.monotonic() - start)),
               "the server and the worker to stop")
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0  # nobody listens any more
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        log.close()
        smtp.shutdown()
        smtp.server_close()
