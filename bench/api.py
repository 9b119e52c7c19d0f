"""Server time and SQL queries of the open data API, in-process, against the bench database.

    python -m bench.api [--runs 30]

For each URL: the first request after the cache is cleared (cold), then --runs timed
requests (warm: a page of projects and a year's statistics are kept under the data
version), then the same with the ETag of the answer (If-None-Match: a 304).
Prints a Markdown table.
"""

import argparse
import statistics
import sys
import time
from typing import Any

from bench import use_bench_settings
from bench.measure import percentile, report

# The cache is emptied before each URL: the bench's own Redis database, as bench.mixed's.
use_bench_settings(API_RATE_LIMIT="1000000/minute", REDIS_URL="redis://127.0.0.1:6379/8")

URLS = [
    "/api/v1/projects/",
    "/api/v1/projects/?q=cancer",
    "/api/v1/projects/?theme=ai&base=esme&year=2023",
    "/api/v1/projects/?page=2000",
    "/api/v1/bases/",
    "/api/v1/stats/2023/",
    "/api/v1/processing-times/",
]


def timed_get(client, url: str, **headers) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 304):
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, len(queries), response


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from projects.models import Project

    client = Client()
    client.get("/healthz")
    rows = []
    for url in URLS:
        cache.clear()
        cold_ms, cold_queries, response = timed_get(client, url)
        warm = [timed_get(client, url) for _ in range(args.runs)]
        etag = response["ETag"]
        unchanged = [timed_get(client, url, if_none_match=etag) for _ in range(args.runs)]
        assert all(answer.status_code == 304 for _ms, _n, answer in unchanged)
        times = [ms for ms, _n, _r in warm]
        times_304 = [ms for ms, _n, _r in unchanged]
        rows.append(
            f"| `{url}` | {cold_ms:.1f} | {cold_queries} | {statistics.median(times):.1f} "
            f"| {percentile(times, 0.95):.1f} | {max(n for _ms, n, _r in warm)} "
            f"| {statistics.median(times_304):.1f} | {max(n for _ms, n, _r in unchanged)} |"
        )
    report(
        f"{Project.objects.count():,} projects; {args.runs} requests per URL; server time "
        "in ms (Django test client, in-process, DEBUG off)\n"
    )
    report(
        "| URL | cold | cold queries | warm median | warm p95 | queries | 304 median | queries |"
    )
    report("|---|---:|---:|---:|---:|---:|---:|---:|")
    report("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
