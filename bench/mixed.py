"""The directory while the hub works: latency quiet, then under a mixed workload.

    python -m bench.mixed [--duration 30] [--connections 8]

Serves the site as `make serve` does, with the bench database (`python -m
bench.populate` first): gunicorn with 2 workers, DEBUG off, persistent database
connections, Redis as the shared cache (`REDIS_URL`, default database 8, emptied at
the start), the database task backend and one `db_worker` beside it. For each page
(the directory's first page and the faceted search of the issue), wrk with 8
connections measures the latency distribution twice: quiet, then while this
process, through the portal's own services,

- saves a sponsor's private draft twice a second (`project_save_content`, as the
  application form does), and
- makes one public status change every 5 seconds (a reviewer declares a submitted
  file admissible: `project_transition`, as the admin does).

Then it measures how long a public change takes to show: after a transition, it
polls the directory's status count and the processing times (`/stats/processing.json`)
until both show it. Prints Markdown tables; exits 1 when the mixed run misses a
target (p50 <= 50 ms, p99 <= 150 ms, no error) or a change takes over 5 s to show.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench import use_bench_settings

use_bench_settings(REDIS_URL="redis://127.0.0.1:6379/8")
os.environ.update(
    HTTPS="0",
    ALLOWED_HOSTS="127.0.0.1",
    CONN_MAX_AGE="60",
    LOG_LEVEL="WARNING",
    TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
)

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("Directory, first page", "/projects/"),
    ("Faceted search", "/projects/?q=cancer&theme=ai&base=esme"),
]
DRAFT_SAVES_PER_SECOND = 2
PUBLIC_CHANGE_EVERY = 5.0
TARGET_P50_MS = 50.0
TARGET_P99_MS = 150.0
TARGET_SHOWN_S = 5.0
WORKERS = 2
BENCH_PASSWORD = "bench-mixed-2026"


def report(*parts: str) -> None:
    """The benchmark's results go to standard output, for a terminal or a file."""
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


class Server:
    """gunicorn and the task worker, as `make serve` starts them, stopped on exit."""

    def __init__(self, port: int):
        self.port = port
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log")  # noqa: SIM115
        python = str(ROOT / ".venv/bin/python")
        self.processes = [
            subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "portal.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(WORKERS),
                ],
                cwd=ROOT,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            subprocess.Popen(
                [python, "manage.py", "db_worker", "--interval", "0.2", "--no-reload"],
                cwd=ROOT,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
        ]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self) -> None:
        for _ in range(150):
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=2).close()
                return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        raise SystemExit("gunicorn did not start:\n" + self.log.read())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=30)
        self.log.close()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, duration: int, connections: int) -> dict:
    """Latency percentiles (ms), requests/s and errors of one wrk run."""
    wrk_run = ["wrk", "-t2", f"-c{connections}", "--latency", "--timeout", "10s"]
    subprocess.run([*wrk_run, "-d3s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run(
        [*wrk_run, f"-d{duration}s", url], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for share, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        found[f"p{share}"] = float(value) * UNITS[unit]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    requests = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return {**found, "rps": float(requests.group(1)) if requests else 0.0, "errors": errors}


class Workload(threading.Thread):
    """The hub at work: draft saves and public changes at their rates, through the
    portal's services, until stopped; counts what it did."""

    def __init__(self, actors: dict):
        super().__init__(daemon=True)
        self.actors = actors
        self.stopping = threading.Event()
        self.saves = 0
        self.changes = 0
        self.failures: list[str] = []

    def run(self) -> None:
        from django.db import connection

        next_change = time.monotonic() + PUBLIC_CHANGE_EVERY
        period = 1 / DRAFT_SAVES_PER_SECOND
        next_save = time.monotonic()
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                if now >= next_save:
                    self._save_draft()
                    next_save += period
                if now >= next_change:
                    public_change(self.actors["reviewer"])
                    self.changes += 1
                    next_change += PUBLIC_CHANGE_EVERY
                self.stopping.wait(max(0.0, min(next_save, next_change) - time.monotonic()))
        except Exception as error:  # reported by the bench, which then fails
            self.failures.append(repr(error))
        finally:
            connection.close()

    def _save_draft(self) -> None:
        from projects import services
        from projects.models import Project

        draft = Project.objects.get(pk=self.actors["draft"])
        draft.summary = f"Brouillon enregistré à {time.time():.3f}."
        services.project_save_content(
            project=draft, expected_version=draft.edit_version, save=draft.save
        )
        self.saves += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def public_change(reviewer) -> str:
    """A submitted file declared admissible: its status changes in the directory and
    an admissibility check ends in the processing times. Returns its reference."""
    from projects import services
    from projects.models import Project, Status

    project = Project.objects.public().filter(status=Status.SUBMITTED).order_by("id").first()
    if project is None:
        raise SystemExit("No submitted project left: run `python -m bench.populate --force`.")
    services.project_transition(project=project, actor=reviewer, to=Status.UNDER_REVIEW)
    return project.reference


def actors() -> dict:
    """A reviewer, and a sponsor's draft in the bench database (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from projects import services
    from projects.models import Project

    user_model = get_user_model()
    reviewer, _ = user_model.objects.get_or_create(
        email="bench-reviewer@hub.example", defaults={"is_staff": True}
    )
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    sponsor, created = user_model.objects.get_or_create(email="bench-sponsor@chu.example")
    if created:
        sponsor.set_password(BENCH_PASSWORD)
        sponsor.save()
    draft = Project.objects.filter(team__user=sponsor, status="draft").first()
    if draft is None:
        draft = services.project_create(owner=sponsor, project=Project(title="Brouillon du banc"))
    return {"reviewer": reviewer, "draft": draft.pk}


def status_count(server: Server, status: str) -> int:
    html = urllib.request.urlopen(server.url("/projects/"), timeout=10).read().decode()
    # The count as French writes it: grouped by a no-break space (« 12 345 »).
    option = re.search(
        rf'<option value="{status}"[^>]*>[^<]*\(([\d\s\xa0\u202f]+)\)</option>', html
    )
    if option is None:
        raise SystemExit(f"The directory shows no count for {status}.")
    return int(re.sub(r"\D", "", option.group(1)))


def checks_counted(server: Server) -> int:
    """Admissibility checks of the current year in the published processing times."""
    with urllib.request.urlopen(server.url("/stats/processing.json"), timeout=10) as response:
        figures = json.load(response)
    return figures["years"][0]["stages"]["admissibility"]["files"]


def time_to_show(server: Server, reviewer) -> tuple[float, float]:
    """Seconds until a public change shows in the directory's counts and in the
    processing times, polled every 100 ms."""
    before_count = status_count(server, "under_review")
    before_checks = checks_counted(server)
    public_change(reviewer)
    started = time.monotonic()
    shown: dict[str, float] = {}
    while len(shown) < 2 and time.monotonic() - started < 30:
        if "directory" not in shown and status_count(server, "under_review") > before_count:
            shown["directory"] = time.monotonic() - started
        if "statistics" not in shown and checks_counted(server) > before_checks:
            shown["statistics"] = time.monotonic() - started
        time.sleep(0.1)
    return shown.get("directory", float("inf")), shown.get("statistics", float("inf"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args(argv)

    import django
    import redis

    django.setup()
    from django.core.management import call_command

    from projects.models import Project

    if Project.objects.count() < 100_000:
        raise SystemExit("Populate the bench database first: python -m bench.populate")
    call_command("collectstatic", "--noinput", verbosity=0)
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    cast = actors()

    server = Server(args.port)
    results: dict[tuple[str, str], dict] = {}
    try:
        server.wait_ready()
        for label, path in PAGES:
            results[("quiet", label)] = wrk(
                server.url(path), duration=args.duration, connections=args.connections
            )
        workload = Workload(cast)
        workload.start()
        try:
            for label, path in PAGES:
                results[("mixed", label)] = wrk(
                    server.url(path), duration=args.duration, connections=args.connections
                )
        finally:
            workload.stop()
        shown = [time_to_show(server, cast["reviewer"]) for _ in range(3)]
    finally:
        server.stop()

    report(
        f"\n{WORKERS} gunicorn workers, wrk -t2 -c{args.connections} -d{args.duration}s "
        f"per run after a 3 s warm-up; mixed: {workload.saves} draft saves and "
        f"{workload.changes} public changes during the mixed runs.\n"
    )
    report("| Page | workload | p50 ms | p75 ms | p90 ms | p99 ms | requests/s | errors |")
    report("|---|---|---:|---:|---:|---:|---:|---:|")
    for (load, label), found in results.items():
        report(
            f"| {label} | {load} | {found['p50']:.1f} | {found['p75']:.1f} | "
            f"{found['p90']:.1f} | {found['p99']:.1f} | {found['rps']:.1f} | {found['errors']} |"
        )
    report("\n| Public change shown in | try 1 | try 2 | try 3 |")
    report("|---|---:|---:|---:|")
    for index, where in enumerate(["the directory's counts", "the processing times"]):
        report(f"| {where} | " + " | ".join(f"{times[index]:.1f} s" for times in shown) + " |")

    missed = [
        f"{label}: p50 {found['p50']:.1f} ms, p99 {found['p99']:.1f} ms, {found['errors']} errors"
        for (load, label), found in results.items()
        if load == "mixed"
        and (found["p50"] > TARGET_P50_MS or found["p99"] > TARGET_P99_MS or found["errors"])
    ]
    missed += [
        f"a change took {seconds:.1f} s to show"
        for times in shown
        for seconds in times
        if seconds > TARGET_SHOWN_S
    ]
    missed += workload.failures
    for line in missed:
        report("MISSED:", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
