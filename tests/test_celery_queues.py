"""Celery: late acknowledgement everywhere, a visibility timeout longer than any task may run,
and roll-ups apart from mail on queues of their own that the Procfile's worker consumes."""

import contextlib
import json
import re
from pathlib import Path

import pytest
import redis
from django.conf import settings

from cafcass_qa.celery import app

ROOT = Path(__file__).resolve().parents[1]


def project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_acknowledged_late_and_handed_back_when_its_worker_dies():
    tasks = project_tasks()
    assert {"dashboards.tasks.rollup_slice_task", "audits.tasks.schedule_audits_task"} <= set(tasks)
    for name, task in tasks.items():
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_visibility_timeout_outlasts_the_longest_task_and_retry_countdown():
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in project_tasks().items():
        longest_run = task.time_limit or app.conf.task_time_limit
        assert longest_run, f"{name} has no hard time limit: no visibility timeout is safe"
        assert timeout > longest_run, name
        if getattr(task, "autoretry_for", ()) and getattr(task, "retry_backoff", False):
            assert timeout > getattr(task, "retry_backoff_max", 600), name
    assert timeout < 60 * 60  # a lost worker's message comes back before Redis's default hour


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("dashboards.tasks.rollup_slice_task", "rollups"),
        ("dashboards.tasks.rollup_all", "rollups"),
        ("dashboards.tasks.rollup_criteria", "rollups"),
        ("mail.feedback_invitation", "mail"),
        ("audits.tasks.schedule_audits_task", "default"),
        ("audits.tasks.sample_moderation_task", "default"),
    ],
)
def test_tasks_are_routed_to_their_queue(task_name, queue):
    assert app.amqp.router.route({}, task_name)["queue"].name == queue


def test_the_procfile_worker_consumes_every_queue():
    procfile = (ROOT / "Procfile").read_text()
    worker = re.search(r"^worker:(.*)$", procfile, re.MULTILINE).group(1)
    consumed = set(re.search(r"(?:-Q|--queues)[ =](\S+)", worker).group(1).split(","))
    assert consumed == {q.name for q in app.conf.task_queues} == {"default", "rollups", "mail"}


@contextlib.contextmanager
def publishing_to(url):
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    app.amqp._producer_pool = None
    app._pool = None
    try:
        yield
    finally:
        app.conf.update(saved)
        app.amqp._producer_pool = None
        app._pool = None


def test_a_published_roll_up_lands_once_on_the_rollups_queue_only():
    from dashboards.tasks import rollup_slice_task

    url = settings.CELERY_BROKER_URL
    store = redis.Redis.from_url(url)
    queues = ["default", "rollups", "mail"]
    before = {q: store.llen(q) for q in queues}
    with publishing_to(url):
        rollup_slice_task.delay(999_999, "2025-06")
    try:
        after = {q: store.llen(q) for q in queues}
        assert {q: after[q] - before[q] for q in queues} == {"default": 0, "rollups": 1, "mail": 0}
        message = json.loads(store.lindex("rollups", 0))
        assert message["headers"]["task"] == "dashboards.tasks.rollup_slice_task"
    finally:
        store.lpop("rollups")  # the message this test published (newest at the head)
