"""How long the PDF of an application takes to render (projects/pdf.py), in-process.

    DEBUG=1 DATABASE_URL=sqlite:///$PWD/db.sqlite3 python -m bench.pdf [--runs 20]

A script, not a timed test. Any migrated database will do (`make run`'s SQLite file,
for one): the only query is the sponsor's verification. Two applications, built in
memory and never saved: a typical one (the demo's length: a paragraph per field, one
base, one attachment) and a long one (about 1,500 words in each of the four long text
fields, five bases, ten attachments). For each: the first rendering (in a new process
it also loads WeasyPrint, Pango and the fonts), then --runs timed renderings
(`time.perf_counter()` around `application_pdf`), in French. Prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SENTENCE = (
    "cohorte rétrospective des patients atteints de cancer suivis dans les bases du "
    "catalogue avec appariement aux données de remboursement et analyse des parcours"
)
WORDS = SENTENCE.split(" ")


def report(*parts: str) -> None:
    sys.stdout.write(" ".join(parts) + "\n")


def text(words: int) -> str:
    sentences = []
    for start in range(0, words, 20):
        chunk = [WORDS[(start + i) % len(WORDS)] for i in range(min(20, words - start))]
        sentences.append(" ".join(chunk).capitalize() + ".")
    return "\n".join(" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5))


def content(*, words: int, bases: int, attachments: int) -> dict:
    return {
        "title": "Parcours de soins des patientes atteintes d'un cancer du sein métastatique",
        "summary": text(min(words, 120)),
        "purpose": text(words),
        "methodology": text(words),
        "expected_results": text(words),
        "sponsor": "CHU Exemple",
        "themes": ["Intelligence artificielle", "Prévention"],
        "programme": "Unibase",
        "bases": [
            {
                "base": f"BASE{n}",
                "justification": text(80),
                "period_start": "2015-01-01",
                "period_end": "2023-12-31",
            }
            for n in range(bases)
        ],
        "planned_start": "2027-01-01",
        "duration_months": 36,
        "funding": text(min(words, 60)),
        "data_processor": "Plateforme des données de santé",
        "attachments": [
            {"name": f"annexe-{n}.pdf", "kind": "other", "size": 120_000}
            for n in range(attachments)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    import django

    django.setup()
    from io import BytesIO

    from django.utils import timezone, translation
    from pypdf import PdfReader

    from projects.models import Project, ProjectVersion
    from projects.pdf import application_pdf

    project = Project(pk=1, reference="HDH-2026-0001", title="Bench")
    cases = {
        "typical": content(words=60, bases=1, attachments=1),
        "long": content(words=1500, bases=5, attachments=10),
    }
    report("| application | pages | size | first | median | min | max |")
    report("|---|---|---|---|---|---|---|")
    with translation.override("fr"):
        for name, snapshot in cases.items():
            version = ProjectVersion(
                project=project, number=2, content=snapshot, submitted_at=timezone.now()
            )
            start = time.perf_counter()
            pdf = application_pdf(project=project, version=version)
            first = time.perf_counter() - start
            timings = []
            for _ in range(runs):
                start = time.perf_counter()
                application_pdf(project=project, version=version)
                timings.append(time.perf_counter() - start)
            pages = len(PdfReader(BytesIO(pdf.content)).pages)
            report(
                f"| {name} | {pages} | {len(pdf.content) // 1024} KiB",
                f"| {first * 1000:.0f} ms | {statistics.median(timings) * 1000:.0f} ms",
                f"| {min(timings) * 1000:.0f} ms | {max(timings) * 1000:.0f} ms |",
            )


if __name__ == "__main__":
    main()
