"""Fire requests from many clients at once (for the tests that prove capacity holds)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def fire_at_once(send: Callable[[T], R], payloads: list[T], clients: int) -> list[R]:
    """Split `payloads` over `clients` threads that all start at the same moment; return every answer."""
    start = threading.Barrier(clients)

    def client(chunk: list[T]) -> list[R]:
        start.wait()
        return [send(payload) for payload in chunk]

    chunks = [payloads[i::clients] for i in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return [answer for result in pool.map(client, chunks) for answer in result]


def read_beside_a_server(fn: Callable[[], R]) -> R:
    """Read from the test thread without holding the write lock a live server's threads need
    (SQLite: a deferred transaction, ended at once)."""
    from app.database import read_only
    from app.extensions import db

    with read_only():
        try:
            return fn()
        finally:
            db.session.rollback()
