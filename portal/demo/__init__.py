"""Demo data for `make run` (`manage.py load_demo`), kept outside the production code:
the accounts of each role, the catalog of the 2023 annual report, the demo sponsor's
applications and the public directory's projects."""
