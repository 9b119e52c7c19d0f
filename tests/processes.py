"""Run the portal's own processes (`manage.py` commands, gunicorn) beside a test, on
the test database: for what only separate processes show (a worker that was not
running, two servers sharing state). Their data must be committed to be seen, so
the tests that use them run with `transaction=True`."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# The name visitors ask for, whichever server answers (`Browser`).
PUBLIC_HOST = "portail.hub.example"


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
        "ALLOWED_HOSTS": f"127.0.0.1,{PUBLIC_HOST}",
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


class Server:
    """A gunicorn of the portal, as `make serve` starts it, on a free port of this
    machine; `stop()` ends it."""

    def __init__(self, env: dict[str, str], log):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi"]
            + ["--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "tests.server_settings"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline, answer = time.monotonic() + timeout, "nothing"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on {self.port} stopped: {self.process.returncode}")
            try:
                status, _body = Browser(self.url).get("/healthz")
            except OSError as error:
                answer = str(error)
            else:
                if status == 200:
                    return
                answer = f"status {status}"
            time.sleep(0.2)
        raise TimeoutError(f"gunicorn on {self.port} answered {answer} for {timeout} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer to look at, not to follow


class Browser:
    """A visitor of one server: its own cookies (session, CSRF token), in English,
    redirects not followed. `host`: the public name it asks for, as a load balancer
    passes it on to every server behind it."""

    def __init__(self, base_url: str, host: str | None = None):
        self.base_url, self.host = base_url, host
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        """Posts a form as a browser does: with the CSRF token of an earlier page."""
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        request.add_header("Accept-Language", "en")
        if self.host:
            request.add_header("Host", self.host)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:  # 3xx, 4xx, 5xx: an answer all the same
            return answer.code, answer.read().decode()
