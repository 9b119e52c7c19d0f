"""The open library of algorithms (BOAS): only published versions are public, French
full-text search, each filter with its counts, bad values with a message, pages, the
card with its history, and a fixed number of queries."""

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.urls import reverse

from catalog.models import Base
from projects import filters
from projects.filters import AlgorithmFilter
from projects.identifiers import spdx_parts
from projects.models import Algorithm, Status
from tests.factories import (
    declare_version,
    make_algorithm,
    make_published_algorithm,
    publish_version,
    refuse_version,
)
from tests.factories import make_public_project as add

pytestmark = pytest.mark.django_db

BOAS = "Bibliothèque Ouverte d'Algorithmes en Santé"
PENDING_TEXT = "Extension au pancréas en attente"
REFUSED_TEXT = "Version refusée au glaucome"


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 1, 10, tzinfo=UTC)


@pytest.fixture
def library(demo_catalog):
    retina = add(
        "HDH-2024-0001",
        "Rétinopathie et intelligence artificielle",
        themes=["ai", "boas"],
        bases=["esme"],
        status=Status.IN_PROGRESS,
    )
    falls = add(
        "HDH-2023-0002",
        "Chutes des personnes âgées",
        themes=["prevention", "boas"],
        bases=["oscour"],
        status=Status.COMPLETED,
    )
    retina_card = {
        "purpose": "Repérer la rétinopathie chez les patients atteints de diabète.",
        "intended_use": "Orienter vers un ophtalmologiste.",
        "population": "Adultes suivis dans les centres de santé.",
        "inputs": "Photographies du fond d'œil.",
        "outputs": "Un degré de sévérité.",
        "limitations": "Images floues mal classées.",
        "licence": "EUPL-1.2",
    }
    retinoscan = make_published_algorithm(
        retina, "RétinoScan", bases=["esme"], at=at(2024, 3), **retina_card
    )
    publish_version(
        declare_version(
            retinoscan,
            "1.1",
            bases=["esme", "bndmr"],
            **{**retina_card, "purpose": retina_card["purpose"][:-1] + ", version 1.1."},
        ),
        at=at(2025, 2),
    )
    declare_version(
        Algorithm.objects.get(name="RétinoScan"),
        "2.0",
        purpose=PENDING_TEXT,
        licence="GPL-3.0-only",
    )
    refuse_version(
        declare_version(Algorithm.objects.get(name="RétinoScan"), "1.5", purpose=REFUSED_TEXT)
    )
    previchute = make_published_algorithm(
        falls,
        "PréviChute",
        bases=["oscour"],
        purpose="Prévenir la chute grave des personnes âgées à domicile.",
        population="Personnes de 75 ans et plus venues aux urgences.",
        licence="MIT",
        at=at(2023, 9),
    )
    scorecancer = make_published_algorithm(
        retina,
        "ScoreCancer",
        bases=["esme", "bndmr"],
        purpose="Estimer la progression du cancer du poumon.",
        licence="Apache-2.0",
        at=at(2025, 6),
    )
    waiting = make_algorithm(falls, "En attente de revue")
    declare_version(waiting, purpose=PENDING_TEXT)
    refused = make_algorithm(falls, "Refusé par le hub")
    refuse_version(declare_version(refused, purpose=REFUSED_TEXT))
    return {
        "retinoscan": Algorithm.objects.get(pk=retinoscan.pk),
        "previchute": previchute,
        "scorecancer": scorecancer,
        "waiting": waiting,
        "refused": refused,
    }


CARD_NAME = re.compile(r'<h2 class="h5 card-title"><a href="/algorithms/[^"]+/">([^<]+)</a>')


def get(client, **params):
    return client.get(reverse("algorithms:list"), params)


def names(response) -> list[str]:
    return CARD_NAME.findall(response.content.decode())


def facet(response, name: str) -> dict[str, str]:
    return dict(response.context["filter"].form.fields[name].choices)


def licences(response) -> dict[str, str]:
    return dict(response.context["filter"].form.fields["licence"].widget.choices)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_library_lists_the_published_algorithms_latest_first_and_nothing_else(client, library):
    response = get(client)

    assert response.status_code == 200
    assert names(response) == ["ScoreCancer", "RétinoScan", "PréviChute"]
    page = response.content.decode()
    assert "version 1.1" in page  # RétinoScan's current version
    for hidden in [PENDING_TEXT, REFUSED_TEXT, "En attente de revue", "Refusé par le hub"]:
        assert hidden not in page


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("diabétique", ["RétinoScan"]),  # the stem of "diabète" (purpose)
        ("DIABETE", ["RétinoScan"]),  # accents and case ignored
        ("rétinoscan", ["RétinoScan"]),  # name
        ("ophtalmologistes", ["RétinoScan"]),  # intended use, in the plural
        ("centres santé", ["RétinoScan"]),  # population, every word
        ("photographie", ["RétinoScan"]),  # inputs, in the singular
        ("sévérité", ["RétinoScan"]),  # outputs
        ("floues", ["RétinoScan"]),  # limitations
        ("chutes", ["PréviChute"]),
        ("domicile", ["PréviChute"]),
        ("cancer poumon", ["ScoreCancer"]),
        ("pancréas", []),  # a pending version's words are never searched
        ("glaucome", []),  # nor a refused one's
        ("diabète chute", []),
    ],
)
def test_french_full_text_search_reads_the_current_card(client, library, q, expected):
    assert names(get(client, q=q)) == expected


def test_a_search_ranks_a_name_above_a_purpose(client, library):
    make_published_algorithm(
        library["scorecancer"].project,
        "Rétinopathie du prématuré",
        purpose="Autre chose.",
        at=at(2020, 1),
    )

    assert names(get(client, q="rétinopathie")) == ["Rétinopathie du prématuré", "RétinoScan"]


def test_without_full_text_search_each_word_is_matched_in_the_card(library, monkeypatch):
    monkeypatch.setattr(filters, "connection", SimpleNamespace(vendor="sqlite"))

    def found(q: str) -> list[str]:
        filterset = AlgorithmFilter(QueryDict(f"q={q}"), queryset=Algorithm.objects.published())
        return [algorithm.name for algorithm in filterset.ordered(filterset.qs)]

    assert found("FLOUES") == ["RétinoScan"]
    assert found("personnes domicile") == ["PréviChute"]
    assert found("personnes poumon") == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"theme": "prevention"}, ["PréviChute"]),
        ({"theme": ["ai", "boas"]}, ["ScoreCancer", "RétinoScan"]),
        ({"theme": ["ai", "prevention"]}, []),  # every theme given must hold
        ({"base": "bndmr"}, ["ScoreCancer", "RétinoScan"]),  # RétinoScan 1.1 added BNDMR
        ({"base": "oscour"}, ["PréviChute"]),
        ({"base": ["esme", "bndmr"]}, ["ScoreCancer", "RétinoScan"]),
        ({"licence": "MIT"}, ["PréviChute"]),
        ({"licence": "EUPL-1.2"}, ["RétinoScan"]),
        ({"status": "completed"}, ["PréviChute"]),
        ({"status": "in_progress"}, ["ScoreCancer", "RétinoScan"]),
        ({"status": "in_progress", "licence": "Apache-2.0", "q": "poumon"}, ["ScoreCancer"]),
    ],
)
def test_each_filter(client, library, params, expected):
    response = get(client, **params)

    assert names(response) == expected
    assert response.context["total"] == len(expected)
    assert messages_of(response) == []


def test_only_the_current_version_is_filtered_on(client, library):
    older = library["retinoscan"].versions.get(version="1.0")
    older.bases.add(Base.objects.get(slug="oscour"))
    older.licence = "MIT"
    older.save()

    assert names(get(client, base="oscour")) == ["PréviChute"]
    assert names(get(client, licence="MIT")) == ["PréviChute"]


def test_each_facet_counts_within_the_results(client, library):
    everything = get(client)

    assert facet(everything, "theme") == {
        "ai": "Intelligence artificielle (2)",
        "boas": f"{BOAS} (3)",
        "prevention": "Prévention (1)",
    }
    assert facet(everything, "base") == {
        "bndmr": "BNDMR (2)",
        "esme": "ESME (2)",
        "oscour": "OSCOUR (1)",
    }
    assert licences(everything) == {
        "": "Toutes les licences",
        "Apache-2.0": "Apache-2.0 (1)",
        "EUPL-1.2": "EUPL-1.2 (1)",
        "MIT": "MIT (1)",
    }
    assert facet(everything, "status") == {
        "": "Tous les statuts",
        "in_progress": "En cours (2)",
        "completed": "Terminé (1)",
    }
    in_progress = get(client, status="in_progress")
    assert facet(in_progress, "theme") == {
        "ai": "Intelligence artificielle (2)",
        "boas": f"{BOAS} (2)",
    }
    assert licences(in_progress) == {
        "": "Toutes les licences",
        "Apache-2.0": "Apache-2.0 (1)",
        "EUPL-1.2": "EUPL-1.2 (1)",
    }
    # A value chosen stays offered with its count, even when it gives nothing.
    assert facet(get(client, theme=["ai", "prevention"]), "theme")["prevention"] == "Prévention (0)"


@pytest.mark.parametrize(
    ("params", "value", "filter_label"),
    [
        ({"theme": "nope"}, "nope", "Thèmes du projet"),
        ({"theme": ["boas", "x"]}, "x", "Thèmes du projet"),
        ({"base": "snds"}, "snds", "Bases utilisées"),
        # Only a pending version has it: no published algorithm.
        ({"licence": "GPL-3.0-only"}, "GPL-3.0-only", "Licence"),
    ],
)
def test_a_value_no_algorithm_has_matches_nothing_with_a_message(
    client, library, params, value, filter_label
):
    response = get(client, **params)

    assert response.status_code == 200
    assert names(response) == []
    assert messages_of(response) == [
        f"« {value} » n'est pas une valeur du filtre « {filter_label} » : rien n'y correspond."
    ]


@pytest.mark.parametrize(
    ("params", "filter_label"),
    [({"status": "draft"}, "Statut du projet"), ({"q": "x" * 300}, "Recherche")],
)
def test_a_filter_not_understood_is_ignored_with_a_message(client, library, params, filter_label):
    response = get(client, **params)

    assert response.status_code == 200
    assert names(response) == ["ScoreCancer", "RétinoScan", "PréviChute"]
    [message] = messages_of(response)
    assert message.startswith(f"Filtre « {filter_label} » non compris, ignoré :")


def test_pages_of_twenty(client, library):
    project = library["scorecancer"].project
    for n in range(20):
        make_published_algorithm(project, f"Algorithme {n:02d}", at=at(2020, 1))

    first, second = get(client), get(client, page=2)

    assert len(names(first)) == 20 and names(first)[:3] == [
        "ScoreCancer",
        "RétinoScan",
        "PréviChute",
    ]
    assert names(second) == ["Algorithme 17", "Algorithme 18", "Algorithme 19"]
    assert 'page=2" rel="next"' in first.content.decode()
    beyond = get(client, page=99)
    assert names(beyond) == names(second)
    assert messages_of(beyond) == ["Il n'y a pas de page 99 : voici la page 2 sur 2."]
    assert get(client, page="abc").status_code == 200


def test_the_list_takes_the_same_queries_for_3_or_30_algorithms(
    client, library, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as few:
        get(client, q="rétinopathie", theme="boas")
    project = library["scorecancer"].project
    for n in range(27):
        make_published_algorithm(
            project, f"Rétinopathie {n}", bases=["esme", "bndmr"], licence="MIT"
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = get(client, q="rétinopathie", theme="boas")
    assert len(names(response)) == 20 and response.context["total"] == 28


def test_the_card_shows_every_field_of_the_current_version(client, library):
    algorithm = library["scorecancer"]
    response = client.get(algorithm.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    card = algorithm.current
    for value in [
        algorithm.name,
        card.purpose,
        card.intended_use,
        card.population,
        card.inputs,
        card.outputs,
        card.performance,
        card.metric,
        card.validation_data,
        card.limitations,
        card.repository_url,
    ]:
        assert str(value).replace("'", "&#x27;") in page, value
    assert '<a href="/catalog/bndmr/">BNDMR</a>, <a href="/catalog/esme/">ESME</a>' in page
    assert '<a href="/projects/HDH-2024-0001/">HDH-2024-0001 · Rétinopathie' in page
    spdx = "https://spdx.org/licenses/Apache-2.0.html"
    assert f'<a href="{spdx}" rel="external noopener">Apache-2.0</a>' in page


def test_the_history_shows_published_versions_only_and_each_can_be_read(client, library):
    algorithm = library["retinoscan"]
    current = client.get(algorithm.get_absolute_url()).content.decode()
    older_url = reverse("algorithms:version", kwargs={"slug": algorithm.slug, "version": "1.0"})

    assert "Version 1.1" in current and "version 1.1" in current.lower()
    assert f'href="{older_url}"' in current
    for hidden in ["Version 2.0", "Version 1.5", PENDING_TEXT, REFUSED_TEXT]:
        assert hidden not in current
    older = client.get(older_url).content.decode()
    assert "Version antérieure, publiée le 1 mars 2024." in older
    assert "patients atteints de diabète." in older and "version 1.1." not in older
    assert "/catalog/bndmr/" not in older  # 1.0 used ESME only
    assert 'id="earlier-version"' not in current


@pytest.mark.parametrize("version", ["2.0", "1.5", "9.9"])
def test_a_version_not_published_is_a_404(client, library, version):
    url = reverse("algorithms:version", kwargs={"slug": "retinoscan", "version": version})

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("slug", ["en-attente-de-revue", "refuse-par-le-hub", "inconnu"])
def test_an_algorithm_without_a_published_version_is_a_404(client, library, slug):
    assert client.get(reverse("algorithms:detail", kwargs={"slug": slug})).status_code == 404


def test_an_algorithm_of_a_project_not_in_the_directory_is_not_public(client, library):
    project = library["previchute"].project
    project.status, project.reference = Status.DRAFT, ""
    project.save()

    assert names(get(client)) == ["ScoreCancer", "RétinoScan"]
    assert client.get(library["previchute"].get_absolute_url()).status_code == 404


def test_a_version_may_be_named_with_any_character(client, library):
    algorithm = library["previchute"]
    publish_version(declare_version(algorithm, "2.0 bêta/2"), at=at(2026, 1))

    response = client.get(
        reverse("algorithms:version", kwargs={"slug": algorithm.slug, "version": "1.0"})
    )
    assert response.status_code == 200
    assert "/versions/2.0%20b%C3%AAta/2/" in response.content.decode()
    assert client.get("/algorithms/previchute/versions/2.0%20b%C3%AAta/2/").status_code == 200


def test_the_project_page_links_to_its_published_algorithms(client, library):
    page = client.get(reverse("projects:public", kwargs={"reference": "HDH-2023-0002"}))
    other = client.get(reverse("projects:public", kwargs={"reference": "HDH-2024-0001"}))

    link = f'<a href="{library["previchute"].get_absolute_url()}">PréviChute</a>'
    assert link in page.content.decode()
    assert "En attente de revue" not in page.content.decode()
    assert "PréviChute" not in other.content.decode()
    assert "RétinoScan" in other.content.decode()


def test_a_project_without_published_algorithms_has_no_such_section(client, demo_catalog):
    add("HDH-2025-0001", "Sans algorithme", status=Status.IN_PROGRESS)

    page = client.get(reverse("projects:public", kwargs={"reference": "HDH-2025-0001"}))
    assert 'id="algorithms"' not in page.content.decode()


def test_every_page_links_to_the_library(client, db):
    assert (
        f'href="{reverse("algorithms:list")}">Algorithmes</a>' in client.get("/").content.decode()
    )


@pytest.mark.parametrize(
    ("expression", "parts"),
    [
        ("MIT", [("MIT", "https://spdx.org/licenses/MIT.html")]),
        (
            "MIT OR Apache-2.0",
            [
                ("MIT", "https://spdx.org/licenses/MIT.html"),
                (" ", ""),
                ("OR", ""),
                (" ", ""),
                ("Apache-2.0", "https://spdx.org/licenses/Apache-2.0.html"),
            ],
        ),
        (
            "(GPL-2.0-only WITH Classpath-exception-2.0)",
            [
                ("(", ""),
                ("GPL-2.0-only", "https://spdx.org/licenses/GPL-2.0-only.html"),
                (" ", ""),
                ("WITH", ""),
                (" ", ""),
                ("Classpath-exception-2.0", "https://spdx.org/licenses/Classpath-exception-2.0.html"),
                (")", ""),
            ],
        ),
        ("", []),
    ],
)  # fmt: skip
def test_each_spdx_identifier_links_to_its_licence_page(expression, parts):
    assert spdx_parts(expression) == parts


def test_the_counts_kept_between_visits_follow_each_publication(client, library):
    """The counts and licences are kept under the public data version: a publication
    (which moves it on) shows at the next visit, with its new licence."""
    before = get(client)
    assert before.context["total"] == 3
    assert "MIT OR Apache-2.0" not in licences(get(client))

    publish_version(declare_version(library["waiting"], "2.0", licence="MIT OR Apache-2.0"))

    after = get(client)
    assert after.context["total"] == 4
    assert "En attente de revue" in names(after)
    assert licences(after)["MIT OR Apache-2.0"] == "MIT OR Apache-2.0 (1)"
