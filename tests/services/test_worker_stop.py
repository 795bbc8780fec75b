"""The jobs worker stops promptly on SIGTERM: the mail in hand is finished, the rest of its batch handed back."""
from __future__ import annotations

import threading

from app import jobs
from app.db_types import utcnow
from tests.services.test_outbox import FakeSMTP, get, make_messages


def test_a_stop_during_a_batch_finishes_the_mail_in_hand_and_hands_back_the_rest(app):
    ids = make_messages(5, utcnow())
    smtp = FakeSMTP()
    report = jobs.deliver_batch(connect=smtp, should_stop=lambda: len(smtp.sent) >= 2)
    assert report.sent == 2
    assert report.released == 3
    statuses = [get(i).status for i in ids]
    assert statuses.count("sent") == 2
    assert statuses.count("pending") == 3  # due again for the next worker, no try spent on them
    assert all(get(i).attempts == 0 for i in ids if get(i).status == "pending")


def test_stop_signal_set_from_a_handler_ends_the_wait():
    stop = jobs.StopSignal()
    threading.Timer(0.05, stop.set).start()
    assert stop.wait(30) is True
    assert jobs.StopSignal().wait(0.01) is False


def test_run_worker_with_a_stop_signal_stops_between_passes(app, monkeypatch):
    stop = jobs.StopSignal()
    calls = []

    def one_pass(**kwargs):
        calls.append(kwargs["should_stop"]())
        stop.set()
        return jobs.PassReport(0, jobs.DeliveryReport())

    monkeypatch.setattr(jobs, "run_once", one_pass)
    assert jobs.run_worker(60, stop) == 1
    assert calls == [False]
