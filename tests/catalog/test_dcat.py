import json
import socket
from pathlib import Path

import pytest
from django.urls import reverse
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SH

from catalog.models import Base
from portal.demo.catalog import BASES
from tests.factories import BaseFactory

pytestmark = pytest.mark.django_db

# Open, unlike rdflib's DCAT, which warns when pytest's collection probes its attributes.
DCAT = Namespace("http://www.w3.org/ns/dcat#")

# The official shapes, copied with their licence and source (README.md beside them).
SHAPES_DIR = Path(__file__).resolve().parent / "dcat-ap-3.0.1"
SHAPE_FILES = ["shapes.ttl", "shapes_recommended.ttl", "range.ttl"]

# Recommended (warning-level) properties the catalog cannot honestly fill in: no
# end date while a base is still fed, and access to restricted data goes through
# an authorisation, not a licence.
ACCEPTED_WARNINGS = {
    (DCTERMS.PeriodOfTime, DCAT.endDate),
    (DCAT.Distribution, DCTERMS.license),
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(SHAPES_DIR / name, format="turtle")
    return graph


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Parsing the JSON-LD must not fetch a remote context."""

    def refuse(*args, **kwargs):
        raise AssertionError("The DCAT export made a network call")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def export(client) -> Graph:
    response = client.get(reverse("catalog:dcat"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return Graph().parse(data=response.content, format="json-ld", publicID="http://testserver/")


def shacl_report(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    return validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)


def results(data: Graph, report: Graph, severity: URIRef) -> set[tuple[URIRef, URIRef | None]]:
    """(class of the failing node, property) pairs: what was missing where."""
    return {
        (
            data.value(report.value(result, SH.focusNode), RDF.type),
            report.value(result, SH.resultPath),
        )
        for result in report.subjects(SH.resultSeverity, severity)
    }


def test_demo_catalog_conforms_to_dcat_ap(client, demo_catalog, shapes):
    data = export(client)

    conforms, report, text = shacl_report(data, shapes)

    assert conforms, text
    assert not results(data, report, SH.Violation), text
    assert results(data, report, SH.Warning) <= ACCEPTED_WARNINGS, text


def test_one_dataset_per_base_with_its_holder_and_keywords(client, demo_catalog):
    data = export(client)

    catalog = data.value(predicate=RDF.type, object=DCAT.Catalog, any=False)
    datasets = set(data.objects(catalog, DCAT.dataset))
    assert len(datasets) == len(BASES) == 7
    titles = {str(data.value(dataset, DCTERMS.title)) for dataset in datasets}
    assert titles == {f"{base['acronym']} · {base['name']}" for base in BASES}

    esme = URIRef("http://testserver/catalog/esme/#dataset")
    publisher = data.value(esme, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in data
    assert data.value(publisher, FOAF.name) == Literal("Unicancer")
    assert set(data.objects(esme, DCAT.keyword)) == {
        Literal(word, lang="fr")
        for word in ("cancer", "cancer du sein", "cancer de l'ovaire", "cancer du poumon")
        + ("vie réelle",)
    }
    assert data.value(esme, DCAT.landingPage) == URIRef("http://testserver/catalog/esme/")
    assert data.value(esme, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    )


def test_each_dataset_names_its_data_holder(client, demo_catalog):
    data = export(client)

    names = {
        str(data.value(data.value(dataset, DCTERMS.publisher), FOAF.name))
        for dataset in data.subjects(RDF.type, DCAT.Dataset)
    }
    assert names == set(Base.objects.values_list("data_holder__name", flat=True))
    assert "Santé publique France" in names


def test_closed_period_has_both_ends_and_open_one_only_a_start(client, demo_catalog):
    data = export(client)

    def period(slug: str) -> tuple:
        node = data.value(URIRef(f"http://testserver/catalog/{slug}/#dataset"), DCTERMS.temporal)
        return (data.value(node, DCAT.startDate), data.value(node, DCAT.endDate))

    assert tuple(map(str, period("atu-cbpc"))) == ("2019-01-01", "2020-12-31")
    start, end = period("bndmr")
    assert (str(start), end) == ("2012-01-01", None)


def test_base_still_fed_validates(client, shapes):
    BaseFactory(period_end=None, geography="Bretagne", contact_email="", access_conditions="")
    data = export(client)

    conforms, report, text = shacl_report(data, shapes)

    assert conforms, text
    assert not results(data, report, SH.Violation), text


def test_empty_catalog_only_misses_recommended_properties(client, shapes):
    """DCAT-AP 3 only recommends that a catalog lists a dataset (or a service)."""
    data = export(client)

    conforms, report, text = shacl_report(data, shapes)

    assert conforms, text
    assert list(data.subjects(RDF.type, DCAT.Dataset)) == []
    assert not results(data, report, SH.Violation), text
    dataset_or_service = (DCAT.Catalog, None)
    assert results(data, report, SH.Warning) == {
        dataset_or_service,
        (DCAT.Catalog, DCTERMS.issued),
        (DCAT.Catalog, DCTERMS.modified),
    }


def test_a_dataset_without_title_violates_the_shapes(client, demo_catalog, shapes):
    """The validation itself works: a mandatory property missing is caught."""
    data = export(client)
    data.remove((URIRef("http://testserver/catalog/esme/#dataset"), DCTERMS.title, None))

    conforms, report, text = shacl_report(data, shapes)

    assert not conforms
    assert {path for _, path in results(data, report, SH.Violation)} == {DCTERMS.title}


def test_export_is_inline_json_ld_with_a_constant_query_count(
    client, demo_catalog, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get(reverse("catalog:dcat"))

    document = json.loads(response.content)
    assert isinstance(document["@context"], dict)
    assert document["dct:title"] == {"@value": "Catalogue des bases", "@language": "fr"}
