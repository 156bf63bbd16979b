"""A worker process killed mid-task hands its message back at once: the task runs again on
the next process instead of waiting out the broker's visibility timeout (or being lost)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from cafcass_qa.celery import app

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("WORKER_LOST_REDIS_URL", "redis://127.0.0.1:6379/14")

pytestmark = [
    pytest.mark.celery_worker,
    # The test settings run tasks eagerly; send_task (used here on purpose) always publishes.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def test_a_task_whose_worker_process_dies_runs_again_on_another(tmp_path):
    store = redis.Redis.from_url(BROKER)
    store.flushdb()
    key = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DJANGO_SETTINGS_MODULE="cafcass_qa.settings.test", CELERY_BROKER_URL=BROKER)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "cafcass_qa",
            "worker",
            "-Q",
            "default",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--include",
            "tests.worker_lost_tasks",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with app.connection_for_write(BROKER) as connection:
            app.send_task(
                "tests.worker_lost.die_on_first_run", args=[BROKER, key], queue="default", connection=connection
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and store.get(f"{key}:done") is None:
            time.sleep(0.25)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)  # this test's own worker and its children
            worker.wait(timeout=10)
        log.close()
        runs, done = store.get(f"{key}:runs"), store.get(f"{key}:done")
        store.flushdb()
    output = (tmp_path / "worker.log").read_text()
    assert "SIGKILL" in output or "signal 9" in output, output[-3000:]  # the first run's process did die
    assert (runs, done) == (b"2", b"2"), f"the task did not run again after its worker died:\n{output[-3000:]}"
