"""Run the portal's own processes (`manage.py` commands, gunicorn) beside a test, on
the test database: for what only separate processes show (a worker that was not
running, two servers sharing state). Their data must be committed to be seen, so
the tests that use them run with `transaction=True`."""

import os
import socket
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def tests_database_url() -> str:
    """The URL of the database the tests run on (pytest-django's `test_…` copy)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def environment(**overrides: str) -> dict[str, str]:
    """The tests' environment, on the test database and the tests' Redis, DEBUG off."""
    return {
        **os.environ,
        "DATABASE_URL": tests_database_url(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def manage(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
