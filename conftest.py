"""People every test may need: one of each role in a home region, and an outsider elsewhere."""

import socket

import pytest
from django.conf import settings

from organisation.tests.factories import RegionFactory, TeamFactory, UserFactory

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """Say plainly how to start PostgreSQL or Redis when they are not answering (`make test` does it)."""
    wanted = []
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        wanted.append(("PostgreSQL", db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if broker.startswith("redis://"):
        host_port = broker.removeprefix("redis://").split("/")[0].rsplit("@", 1)[-1]
        host, _, port = host_port.partition(":")
        wanted.append(("Redis", host or "127.0.0.1", int(port or 6379)))
    missing = [(name, host, port) for name, host, port in wanted if not _answers(host, port)]
    if missing:
        lines = [
            f"{name} is not answering at {host}:{port}; start it with: {HOW_TO_START[name]}"
            for name, host, port in missing
        ]
        pytest.exit("\n".join([*lines, "(or run `make test`, which starts both)"]), returncode=3)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (local memory: cached figures never cross tests)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def region(db):
    return RegionFactory(code="north-east", name="North East")


@pytest.fixture
def team(region):
    return TeamFactory(code="ne-durham", name="Durham", region=region)


@pytest.fixture
def other_region(db):
    return RegionFactory(code="south-west", name="South West")


@pytest.fixture
def other_team(other_region):
    return TeamFactory(code="sw-bristol", name="Bristol", region=other_region)


@pytest.fixture
def practitioner(team):
    return UserFactory(username="fca", full_name="Priya Practitioner", team=team, roles=["practitioner"])


@pytest.fixture
def colleague(team):
    """Another practitioner in the same team and region."""
    return UserFactory(username="fca2", full_name="Colin Colleague", team=team, roles=["practitioner"])


@pytest.fixture
def auditor(team):
    return UserFactory(username="auditor", full_name="Ada Auditor", team=team, roles=["auditor"])


@pytest.fixture
def service_manager(team):
    return UserFactory(username="manager", full_name="Sam Manager", team=team, roles=["service_manager"])


@pytest.fixture
def other_manager(other_team):
    """A service manager of another region: the outsider of most tests."""
    return UserFactory(username="manager2", full_name="Olu Outsider", team=other_team, roles=["service_manager"])


@pytest.fixture
def assistant_director(db):
    return UserFactory(username="ad", full_name="Alex Director", team=None, region=None, roles=["assistant_director"])


@pytest.fixture
def board_member(db):
    return UserFactory(username="board", full_name="Bea Board", team=None, region=None, roles=["board_member"])


@pytest.fixture
def quality_admin(db):
    return UserFactory(username="qa", full_name="Quinn Admin", team=None, region=None, roles=["quality_admin"])
