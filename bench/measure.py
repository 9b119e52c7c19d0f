"""Server time and SQL queries of the public pages, in-process, against the bench database.

    python -m bench.measure [--runs 50]

Django's test client calls the whole stack (middleware, view, template) with
DEBUG off, as `make serve` does, without a network in between. For each page:
the first request after the cache is cleared (cold: the directory computes its
facet counts), a few warm-up requests, then --runs timed requests. Prints a
Markdown table; exits 1 when a page misses the targets (at most 10 queries,
median under 50 ms).
"""

import argparse
import statistics
import sys
import time

from bench import use_bench_settings


def report(*parts: str) -> None:
    """The benchmark's results go to standard output, for a terminal or a file."""
    sys.stdout.write(" ".join(parts) + "\n")


use_bench_settings()

MAX_QUERIES = 10
MAX_MEDIAN_MS = 50.0
WARM_UP = 5


def pages() -> list[tuple[str, str]]:
    from projects.models import Project

    # A launched project with several bases, themes and events: a full project page.
    project = (
        Project.objects.filter(status="completed", requested_bases__isnull=False)
        .exclude(themes=None)
        .order_by("id")
        .first()
    )
    return [
        ("Directory, first page", "/projects/"),
        ("Directory, text search", "/projects/?q=cancer"),
        ("Directory, three facets", "/projects/?theme=ai&base=esme&year=2023"),
        ("Directory, results overdue", "/projects/?results=overdue"),
        ("Project page", f"/projects/{project.reference}/"),
        ("Statistics 2023", "/stats/2023/"),
        ("Statistics, default year", "/stats/"),
        ("Algorithms library", "/algorithms/"),
    ]


def timed_get(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(queries)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render the directory every time (its facet counts stay cached)",
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from projects.models import Project

    assert not settings.DEBUG, "measure with DEBUG off"
    if args.no_page_cache:
        from projects.public import directory

        directory.cached_page = lambda key: None
        directory.keep_page = lambda key, html: None
    # DEBUG off serves hashed static names from the manifest, as `make serve` does.
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.get("/healthz")  # the process, not the pages, pays for its first request
    rows, failed = [], False
    for name, url in pages():
        cache.clear()
        cold_ms, cold_queries = timed_get(client, url)
        for _ in range(WARM_UP):
            timed_get(client, url)
        times, counts = [], set()
        for _ in range(args.runs):
            elapsed, queries = timed_get(client, url)
            times.append(elapsed)
            counts.add(queries)
        median = statistics.median(times)
        worst_queries = max(counts | {cold_queries})
        ok = worst_queries <= MAX_QUERIES and median < MAX_MEDIAN_MS
        failed |= not ok
        rows.append(
            f"| {name} | `{url}` | {median:.1f} | {percentile(times, 0.95):.1f} "
            f"| {'/'.join(map(str, sorted(counts)))} | {cold_ms:.1f} | {cold_queries} "
            f"| {'yes' if ok else '**no**'} |"
        )
    report(
        f"{Project.objects.count():,} projects; {args.runs} requests per page after "
        f"{WARM_UP} warm-up; server time in ms (Django test client, in-process, DEBUG off"
        f"{'; directory page cache off' if args.no_page_cache else ''})\n"
    )
    report("| Page | URL | median | p95 | queries | cold first | cold queries | target met |")
    report("|---|---|---:|---:|---:|---:|---:|:---:|")
    report("\n".join(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
