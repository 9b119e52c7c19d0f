"""Exports at any size: a chunk of projects at a time, in a few queries per chunk, with
each chunk's memory given back as soon as it is sent."""

import csv
import gc
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Theme
from projects.public import exports
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

EXPORTS = ["projects:export-csv", "projects:export-json"]


def records(client, name: str, params=None) -> list[dict]:
    text = b"".join(client.get(reverse(name), params or {}).streaming_content).decode()
    if name.endswith("json"):
        return json.loads(text)
    return [
        {**row, "themes": row["themes"].split("|"), "bases": row["bases"].split("|")}
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    ]


@pytest.fixture
def three(demo_catalog):
    Theme.objects.create(slug="a-first", name="A theme named first")
    for number, themes, bases in [
        (1, ["prevention", "ai", "a-first"], ["oscour", "esme", "bndmr"]),
        (2, ["covid-19"], ["hepather"]),
        (3, ["boas", "ai"], ["e-must", "atu-cbpc"]),
    ]:
        add(
            f"HDH-2023-000{number}",
            f"Projet {number}",
            themes=themes,
            bases=bases,
            submitted_on=date(2023, 1, number),
        )


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("chunk", [1, 2, 2000])
def test_each_project_has_its_own_themes_by_name_and_bases_by_acronym(
    client, three, monkeypatch, name, chunk
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", chunk)

    exported = records(client, name)

    assert [(r["reference"], r["themes"], r["bases"]) for r in exported] == [
        ("HDH-2023-0003", ["boas", "ai"], ["ATU CBPC", "e-MUST"]),
        ("HDH-2023-0002", ["covid-19"], ["Hepather"]),
        ("HDH-2023-0001", ["a-first", "ai", "prevention"], ["BNDMR", "ESME", "OSCOUR"]),
    ]


def queries(client, name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        b"".join(client.get(reverse(name)).streaming_content)
    return len(captured)


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_makes_one_query_for_its_projects_and_two_per_chunk(
    client, three, monkeypatch, name
):
    by_chunk = {}
    for chunk in (1, 3):
        monkeypatch.setattr(exports, "CHUNK_SIZE", chunk)
        by_chunk[chunk] = queries(client, name)
    add("HDH-2023-0004", "Projet 4", themes=["ai"], bases=["esme"])
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)

    assert by_chunk[1] - by_chunk[3] == 2 * (3 - 1)  # themes and bases, for each chunk
    assert queries(client, name) == by_chunk[3]  # a fourth project, still in one chunk


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_leaves_no_garbage_for_the_collector(client, three, name):
    """Its rows hold no references to each other (prefetched model instances do), so
    each chunk is freed as soon as it is sent, however long the file: what the
    garbage collector finds after an export does not grow with its projects."""
    found: list[int] = []
    gc.disable()
    try:
        for extra in (0, 30):
            for number in range(extra):
                add(f"HDH-2024-{len(found)}{number:03d}", "Projet", themes=["ai"], bases=["esme"])
            gc.collect()
            assert len(records(client, name)) == 3 + extra
            found.append(gc.collect())
    finally:
        gc.enable()

    assert found[1] <= found[0]
