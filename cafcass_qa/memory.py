"""The web process's garbage collector, set once the application is loaded."""

import gc


def freeze_loaded_objects() -> None:
    """Move every object alive now (Django, the apps, templates, settings: they live as long as the
    process) out of the collector's reach.

    A full collection during a request then scans only what requests made. Without it, every few
    dozen requests one of them paid ~65 ms for scanning ~100,000 start-up objects (measured on the
    case list at 1,000,000 audits: the two slowest of 60 requests, both a generation-2 collection),
    which was the p95 of the heavier lists. With it: ~25 ms. Gunicorn workers call it from wsgi.py;
    the benchmarks call it before timing pages, as the server runs them.
    """
    gc.collect()
    gc.freeze()
