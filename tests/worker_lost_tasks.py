"""A task for tests/test_worker_lost.py, loaded by that test's worker (`--include`): the first
time it runs, its worker process dies the hard way, as one killed by the kernel would."""

import os
import signal

import redis
from celery import shared_task


@shared_task(name="tests.worker_lost.die_on_first_run")
def die_on_first_run(store_url: str, key: str) -> int:
    store = redis.Redis.from_url(store_url)
    runs = store.incr(f"{key}:runs")
    if runs == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    store.set(f"{key}:done", runs)
    return runs
