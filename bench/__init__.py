"""Benchmarks of the portal at 100,000 projects (not tests): see bench/README.md."""

import os

BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"


def use_bench_settings(**more: str) -> None:
    """The bench's settings and database unless the environment names others, DEBUG
    off and plain HTTP as `make serve` runs, quiet logs; `more` as further defaults."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": BENCH_DATABASE_URL,
        "SECRET_KEY": "insecure-benchmark-key",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        **more,
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
