"""A closed-loop load generator on the standard library: N threads, one HTTP connection each.

Every client sends its next request as soon as it has the answer to the previous
one (a flash crowd: everyone presses the button at once and retries at once).
Connections are kept alive when the server allows it; gunicorn's sync workers
answer `Connection: close`, and http.client then reconnects on the next request,
as a browser would. The CPU time the generator itself used is measured, so the
report can say how much of the 2 shared cores it took from the servers.
"""
from __future__ import annotations

import http.client
import itertools
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import Sample


def fire(host: str, port: int, path: str, body: Callable[[int], bytes], *, requests: int, clients: int,
         timeout: float = 60.0, headers: dict | None = None, client_headers: list[dict] | None = None,
         expected: tuple[int, ...] = (201, 409)) -> tuple[list[Sample], float, float, list[str]]:
    """Send `requests` POSTs from `clients` threads; return (samples, wall seconds, client CPU seconds, errors).

    `client_headers[slot]` adds headers of one client (e.g. each door phone's own token); answers
    other than `expected` are kept (the first five) in `errors`.
    """
    numbers = itertools.count()  # next() on a count is atomic under the GIL
    bodies = [body(i) for i in range(requests)]  # built before the clock starts
    base_headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
    per_thread: list[list[Sample]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    t0_box: list[float] = []

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        out = per_thread[slot]
        my_headers = {**base_headers, **(client_headers[slot % len(client_headers)] if client_headers else {})}
        start.wait()
        t0 = t0_box[0]
        while True:
            i = next(numbers)
            if i >= requests:
                break
            payload = bodies[i]
            sent = time.perf_counter()
            try:
                conn.request("POST", path, body=payload, headers=my_headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status, data = 0, repr(exc).encode()
                conn.close()
            done = time.perf_counter()
            out.append(Sample(started=sent - t0, latency=done - sent, status=status))
            if status not in expected and len(errors) < 5:
                errors.append(f"{status}: {data[:300].decode('utf-8', 'replace')}")
        conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    t0_box.append(time.perf_counter())
    start.wait()
    for t in threads:
        t.join()
    samples = [s for chunk in per_thread for s in chunk]
    wall = max(s.started + s.latency for s in samples) if samples else 0.0
    cpu = time.process_time() - cpu0
    return samples, wall, cpu, errors


WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_flash.lua"
WRK_PLACEHOLDER = "@@N@@"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def fire_wrk(host: str, port: int, path: str, body: Callable[[str], bytes], *, requests: int, clients: int,
             idle_path: str = "/", timeout: float = 60.0) -> tuple[list[Sample], float, float, list[str]]:
    """The same closed loop driven by wrk (C, one connection per wrk thread), timed by bench/wrk_flash.lua.

    `body` is called once with the placeholder; wrk puts a unique number in its place for each request.
    A wrk thread done with its share sends GETs to `idle_path` (not recorded) until the last one is done.
    The CPU time returned is wrk's own (user + system, from the kernel's accounting of the child).
    """
    if clients > requests:
        raise ValueError("wrk needs at least one request per client")
    with tempfile.TemporaryDirectory(prefix="tsudoi-wrk-") as tmp:
        body_file, out_file, done_file = Path(tmp) / "body.json", Path(tmp) / "out.txt", Path(tmp) / "done.txt"
        body_file.write_bytes(body(WRK_PLACEHOLDER))
        env = dict(os.environ, BENCH_WRK_REQUESTS=str(requests), BENCH_WRK_CLIENTS=str(clients),
                   BENCH_WRK_PATH=path, BENCH_WRK_BODY=str(body_file), BENCH_WRK_OUT=str(out_file),
                   BENCH_WRK_DONE=str(done_file), BENCH_WRK_IDLE_PATH=idle_path)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(
            ["wrk", "-t", str(clients), "-c", str(clients), "-d", "600s", "--timeout", f"{timeout:.0f}s",
             "-s", str(WRK_SCRIPT), f"http://{host}:{port}{path}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        # Each wrk thread stops after its share; wrk itself waits out -d unless interrupted.
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline:
            finished = done_file.read_text().count("\n") if done_file.exists() else 0
            if finished >= clients:
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # wrk then joins its threads and runs done()
        output, _ = proc.communicate(timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0 or not out_file.exists():
            raise RuntimeError(f"wrk failed ({proc.returncode}): {output}")
        raw, errors = [], []
        for line in out_file.read_text().splitlines():
            parts = line.split()
            if parts[0] == "errors":
                connect, read, write, timeouts = map(int, parts[1:])
                if connect or read or write or timeouts:
                    errors.append(f"wrk socket errors: connect {connect}, read {read}, write {write}, "
                                  f"timeout {timeouts}")
                continue
            raw.append((int(parts[0]), int(parts[1]), int(parts[2])))
    t0 = min(r[0] for r in raw) if raw else 0
    samples = [Sample(started=(s - t0) / 1e6, latency=lat / 1e6, status=code) for s, lat, code in raw]
    missing = requests - len(samples)
    if missing > 0:
        errors.append(f"{missing} requests got no HTTP answer")
        samples += [Sample(started=0.0, latency=0.0, status=0)] * missing
    wall = max(s.started + s.latency for s in samples) if samples else 0.0
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return samples, wall, cpu, errors
