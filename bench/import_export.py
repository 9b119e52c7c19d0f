"""Time `import_projects` of 100,000 rows, and the full CSV and JSON exports with their memory.

    python -m bench.import_export [--rows 100000] [--skip-import] [--skip-export]

Import: in a database of its own, `portal_bench_import` on the same server
(`IMPORT_DATABASE_URL` to use another), created if missing and migrated, so the
bench data is never touched. Its projects, organisations and reference counters
are emptied first, the demo catalog and the bench's 50 bases loaded, then a CSV
of --rows rows in the import's format is written (deterministic: the projects
`bench.populate` makes, as a file) and imported three times: into the empty
database (every row created), the same file again (every row unchanged), and the
file with one title in ten changed (updated). Each is `call_command
("import_projects", ...)`, timed, with its SQL statements counted.

Exports: against the bench database (`DATABASE_URL`, default `portal_bench`, filled
by `bench.populate`), the CSV and JSON exports of the directory, in full and
filtered to about 10,000 projects (`?year=2021`), each in a new process: Django's
test client, DEBUG off, the streamed response read chunk by chunk and thrown away.
Each prints its time, rows and bytes, the growth of the process's peak resident
memory over what it held before the export (`ru_maxrss`), and, in a second run
of its own (tracemalloc slows Python down), the peak of Python's allocations
during the export. Constant memory shows as the same figures at 10,000 and at
100,000 rows.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import use_bench_settings

use_bench_settings()

ROWS = 100_000
IMPORT_DATABASE = "portal_bench_import"
# About 10,000 of the bench's 100,000 projects were submitted in 2021.
EXPORTS = ["", "year=2021"]


def report(*parts: str) -> None:
    """The benchmark's results go to standard output, for a terminal or a file."""
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def import_database_url() -> str:
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return os.environ.get("IMPORT_DATABASE_URL", f"{server}/{IMPORT_DATABASE}")


# The parent process: each phase in a child, whose last line of output is its JSON.


def child(args: list[str], *, database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "bench.import_export", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--phase", choices=["import", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=["csv", "json"], help=argparse.SUPPRESS)
    parser.add_argument("--query", default="", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase == "import":
        report(json.dumps(import_phase(args.rows)))
        return 0
    if args.phase == "export":
        report(json.dumps(export_phase(args.format, args.query, traced=args.tracemalloc)))
        return 0
    if not args.skip_import:
        rows = ["--phase", "import", "--rows", str(args.rows)]
        report_import(child(rows, database_url=import_database_url()))
    if not args.skip_export:
        report_exports()
    return 0


def report_import(results: dict) -> None:
    report(
        f"\nImport of {results['rows']:,} rows into {IMPORT_DATABASE} "
        f"({results['file_mb']:.1f} MB CSV)\n"
    )
    report("| Import | result | seconds | SQL statements (COPY included) |")
    report("|---|---|---:|---:|")
    for name, run in results["runs"].items():
        report(f"| {name} | {run['result']} | {run['seconds']:.1f} | {run['queries']:,} |")


def report_exports() -> None:
    url = os.environ["DATABASE_URL"]
    rows = []
    for fmt in ("csv", "json"):
        for query in EXPORTS:
            export = ["--phase", "export", "--format", fmt, "--query", query]
            timed = child(export, database_url=url)
            traced = child([*export, "--tracemalloc"], database_url=url)
            if traced["sha256"] != timed["sha256"]:
                raise SystemExit(f"{fmt} {query}: two runs gave different files")
            rows.append(
                f"| {fmt.upper()} | `{timed['url']}` | {timed['rows']:,} | {timed['mb']:.1f} "
                f"| {timed['seconds']:.1f} | {timed['rss_growth_mb']:.1f} "
                f"| {traced['traced_peak_mb']:.1f} |"
            )
    report("\nExports of the bench database (in-process, test client, DEBUG off)\n")
    report("| Export | URL | rows | MB | seconds | peak RSS growth (MB) | tracemalloc peak (MB) |")
    report("|---|---|---:|---:|---:|---:|---:|")
    report("\n".join(rows))


# The import phase (a child process on the import database).


def import_phase(rows: int) -> dict:
    import django

    from bench.populate import create_database

    create_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE projects_project, projects_organisation, projects_referencecounter "
            "RESTART IDENTITY CASCADE"
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.csv"
        changed = Path(folder) / "register-changed.csv"
        write_register(path, changed, rows)
        runs = {
            "into the empty database": timed_import(path),
            "the same file again": timed_import(path),
            "one title in ten changed": timed_import(changed),
        }
        size = path.stat().st_size
    return {"rows": rows, "file_mb": size / 1e6, "runs": runs}


def write_register(path: Path, changed: Path, rows: int) -> None:
    """The bench's projects as an import file, and a copy with one title in ten changed."""
    import csv
    import random

    from django.db import transaction

    from bench import populate
    from portal.demo.catalog import load_catalog
    from projects.models import Programme, Theme
    from projects.review.imports import COLUMNS

    with transaction.atomic():
        load_catalog()
        bases = populate.make_bases(random.Random(populate.SEED))
    themes = {pk: slug for slug, pk in Theme.objects.values_list("slug", "id")}
    unibase = Programme.objects.get(slug="unibase").pk
    names = populate.organisation_names()
    projects = populate.make_projects(
        random.Random(populate.SEED), names, [(slug, slug) for _pk, slug in bases], rows
    )
    with (
        path.open("w", encoding="utf-8", newline="") as first,
        changed.open("w", encoding="utf-8", newline="") as second,
    ):
        plain, edited = csv.writer(first), csv.writer(second)
        plain.writerow(COLUMNS)  # the import's own columns, in its order
        edited.writerow(COLUMNS)
        for index, p in enumerate(projects):
            row = [
                p["reference"],
                p["title"],
                p["summary"],
                p["sponsor"],
                "|".join(themes[pk] for pk in p["themes"]),
                "unibase" if p["programme"] == unibase else "",
                "|".join(p["bases"]),
                p["status"],
                p["submitted"].isoformat(),
                p["launched"].isoformat() if p["launched"] else "",
            ]
            plain.writerow(row)
            if index % 10 == 0:
                row[1] += " (révisé)"
            edited.writerow(row)


def timed_import(path: Path) -> dict:
    import io

    from django.core.management import call_command
    from django.db import connection

    from projects import bulk

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    # A COPY runs outside Django's cursor wrappers: counted here, one per call.
    copy_insert = bulk.copy_insert

    def copy_counted(instances):
        nonlocal statements
        statements += bool(instances)
        copy_insert(instances)

    bulk.copy_insert = copy_counted
    out = io.StringIO()
    try:
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            call_command("import_projects", path, stdout=out)
            seconds = time.perf_counter() - started
    finally:
        bulk.copy_insert = copy_insert
    result = out.getvalue().strip().split(": ", 1)[1]
    return {"result": result, "seconds": seconds, "queries": statements}


# The export phase (a child process on the bench database).


def resident_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def export_phase(fmt: str, query: str, *, traced: bool) -> dict:
    import gc
    import resource
    import tracemalloc
    import warnings

    import django

    # Whitenoise's, as nothing was collected: the exports serve no static file.
    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    from django.conf import settings
    from django.test import Client

    assert not settings.DEBUG, "measure with DEBUG off"
    from projects.models import Project

    if not Project.objects.exists():
        raise SystemExit("No projects in the bench database: run python -m bench.populate first.")
    client = Client()
    url = f"/projects/export.{fmt}" + (f"?{query}" if query else "")
    # The process, not the export, pays for loading the code and its first query.
    consume(client.get(f"/projects/export.{fmt}?year=2017&status=rejected"))
    gc.collect()
    before_kb = resident_kb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    chunks, size, digest = consume(client.get(url))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    growth_kb = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb)
    return {
        "url": url,
        "rows": chunks - (1 if fmt == "csv" else 2),  # the header; or "[" and "]"
        "mb": size / 1e6,
        "seconds": seconds,
        "rss_growth_mb": growth_kb / 1024,
        "traced_peak_mb": peak / 1e6,
        "sha256": digest,
    }


def consume(response) -> tuple[int, int, str]:
    if response.status_code != 200:
        raise SystemExit(f"the export answered {response.status_code}")
    chunks = size = 0
    digest = hashlib.sha256()
    for chunk in response.streaming_content:
        chunks += 1
        size += len(chunk)
        digest.update(chunk)
    response.close()
    return chunks, size, digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
