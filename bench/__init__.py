"""Benchmark of the public directory, a project page and the statistics (not a test)."""
