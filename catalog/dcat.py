"""The catalog in DCAT-AP 3 JSON-LD, so that open-data portals can harvest it.

The context is inline and every IRI taken from an EU vocabulary is typed (and
labelled where SHACL asks for a label) in the document itself: harvesters and
validators can then check the DCAT-AP ranges without fetching anything.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from catalog.models import Base, DataHolder

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

EU = "http://publications.europa.eu/resource/authority/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "locn": "http://www.w3.org/ns/locn#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat:startDate": {"@type": "xsd:date"},
    "dcat:endDate": {"@type": "xsd:date"},
    "dct:issued": {"@type": "xsd:date"},
    "dct:modified": {"@type": "xsd:date"},
    "dcat:bbox": {"@type": "gsp:wktLiteral"},
    "dcat:centroid": {"@type": "gsp:wktLiteral"},
}

CATALOG_TITLE = _("Catalog of bases")
CATALOG_DESCRIPTION = _(
    "The databases of the SNDS catalog gathered by the Health Data Hub: what each covers, "
    "who holds it and how to ask for access."
)
ACCESS_ON_REQUEST = _("Access for a project of public interest, on request to the Health Data Hub.")

FRENCH = {"@id": f"{EU}language/FRA", "@type": "dct:LinguisticSystem"}
STABLE = {
    "@id": "http://data.europa.eu/r5r/availability/stable",
    "@type": "skos:Concept",
    "skos:prefLabel": {"@value": "Stable", "@language": "en"},
}
# Access to every base needs an authorisation, whatever the base.
RESTRICTED = {"@id": f"{EU}access-right/RESTRICTED", "@type": "dct:RightsStatement"}
DATA_THEMES = {
    "@id": f"{EU}data-theme",
    "@type": "skos:ConceptScheme",
    "dct:title": {"@value": "Data theme", "@language": "en"},
}
HEALTH = {
    "@id": f"{EU}data-theme/HEAL",
    "@type": "skos:Concept",
    "skos:prefLabel": {"@value": "Health", "@language": "en"},
    "skos:inScheme": {"@id": DATA_THEMES["@id"]},
}
# The catalog's own metadata: French public bodies publish under the Licence Ouverte.
LICENCE_OUVERTE = {
    "@id": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "@type": "dct:LicenseDocument",
    "dct:type": {
        "@id": "http://purl.org/adms/licencetype/Attribution",
        "@type": "skos:Concept",
        "skos:prefLabel": {"@value": "Attribution", "@language": "en"},
    },
}

# The closest ADMS publisher type; holders of kind "other" get none.
PUBLISHER_TYPES: dict[str, tuple[str, str]] = {
    DataHolder.Kind.HOSPITAL: ("NonProfitOrganisation", "Non-profit organisation"),
    DataHolder.Kind.CANCER_CENTRE: ("NonProfitOrganisation", "Non-profit organisation"),
    DataHolder.Kind.AGENCY: ("NationalAuthority", "National authority"),
    DataHolder.Kind.RESEARCH: (
        "Academia-ScientificOrganisation",
        "Academia/Scientific organisation",
    ),
    DataHolder.Kind.COMPANY: ("Company", "Company"),
    DataHolder.Kind.REGIONAL: ("RegionalAuthority", "Regional authority"),
}

# Geographies we can name with an EU IRI and locate; the box of "France entière"
# is mainland France and Corsica, its overseas territories would stretch it round the globe.
PLACES = {
    "france entière": (
        f"{EU}country/FRA",
        "POLYGON((-5.2 41.3,9.6 41.3,9.6 51.1,-5.2 51.1,-5.2 41.3))",
        "POINT(2.4 46.6)",
    ),
    "île-de-france": (
        "http://data.europa.eu/nuts/code/FR1",
        "POLYGON((1.4 48.1,3.6 48.1,3.6 49.3,1.4 49.3,1.4 48.1))",
        "POINT(2.5 48.7)",
    ),
    "occitanie": (
        "http://data.europa.eu/nuts/code/FRJ",
        "POLYGON((-0.4 42.3,4.9 42.3,4.9 45.1,-0.4 45.1,-0.4 42.3))",
        "POINT(2.1 43.7)",
    ),
}

Node = dict[str, Any]


@require_GET
def catalog_jsonld(request: HttpRequest) -> JsonResponse:
    catalog_iri = request.build_absolute_uri(reverse("catalog:dcat"))
    bases = list(Base.objects.with_holder())
    document = {
        "@context": CONTEXT,
        "@id": catalog_iri,
        "@type": "dcat:Catalog",
        "dct:title": _ui_text(CATALOG_TITLE),
        "dct:description": _ui_text(CATALOG_DESCRIPTION),
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": "Health Data Hub",
            "dct:type": _publisher_type("NationalAuthority", "National authority"),
        },
        "foaf:homepage": _document(request.build_absolute_uri(reverse("catalog:base-list"))),
        "dct:language": FRENCH,
        "dct:license": LICENCE_OUVERTE,
        "dct:spatial": _location("France entière"),
        "dcat:themeTaxonomy": DATA_THEMES,
        "dcat:dataset": [_dataset(request, base, catalog_iri) for base in bases],
    }
    if bases:
        document["dct:issued"] = min(base.created_at for base in bases).date().isoformat()
        document["dct:modified"] = max(base.updated_at for base in bases).date().isoformat()
    return JsonResponse(
        document,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def _dataset(request: HttpRequest, base: Base, catalog_iri: str) -> Node:
    page = request.build_absolute_uri(base.get_absolute_url())
    dataset = {
        "@id": f"{page}#dataset",
        "@type": "dcat:Dataset",
        "dct:title": _text(f"{base.acronym} · {base.name}"),
        "dct:description": _text(base.description),
        "dct:publisher": _agent(base.data_holder, catalog_iri),
        "dcat:keyword": [_text(word) for word in base.keyword_list],
        "dcat:landingPage": _document(page),
        "dcat:theme": HEALTH,
        "dct:language": FRENCH,
        "dct:accessRights": RESTRICTED,
        "dcat:distribution": {
            "@id": f"{page}#access",
            "@type": "dcat:Distribution",
            "dcat:accessURL": {"@id": page},
            # Access goes through the base's page, which explains the procedure.
            "dct:format": {"@id": f"{EU}file-type/HTML", "@type": "dct:MediaTypeOrExtent"},
            "dct:description": _text(base.access_conditions)
            if base.access_conditions
            else _ui_text(ACCESS_ON_REQUEST),
            "dcatap:availability": STABLE,
        },
    }
    if base.catalog_reference:
        dataset["dct:identifier"] = base.catalog_reference
    if base.period_start or base.period_end:
        dataset["dct:temporal"] = _period(base)
    if base.geography:
        dataset["dct:spatial"] = _location(base.geography)
    if base.update_frequency:
        dataset["dct:accrualPeriodicity"] = {
            "@id": f"{EU}frequency/{base.update_frequency}",
            "@type": "dct:Frequency",
        }
    if base.contact_email:
        dataset["dcat:contactPoint"] = {
            "@type": "vcard:Kind",
            "vcard:fn": base.data_holder.short_name,
            "vcard:hasEmail": {"@id": f"mailto:{base.contact_email}"},
        }
    if base.documentation_url:
        dataset["foaf:page"] = _document(base.documentation_url)
    return dataset


def _agent(holder: DataHolder, catalog_iri: str) -> Node:
    agent: Node = {"@id": f"{catalog_iri}#holder-{holder.pk}", "@type": "foaf:Agent"}
    agent["foaf:name"] = holder.name
    if holder.kind in PUBLISHER_TYPES:
        agent["dct:type"] = _publisher_type(*PUBLISHER_TYPES[holder.kind])
    if holder.website:
        agent["foaf:homepage"] = _document(holder.website)
    return agent


def _period(base: Base) -> Node:
    """An open end (a base still fed) is left out rather than guessed."""
    period: Node = {"@type": "dct:PeriodOfTime"}
    if base.period_start:
        period["dcat:startDate"] = base.period_start.isoformat()
    if base.period_end:
        period["dcat:endDate"] = base.period_end.isoformat()
    return period


def _location(geography: str) -> Node:
    if geography.strip().casefold() not in PLACES:
        return {"@type": "dct:Location", "locn:geographicName": _text(geography)}
    iri, bbox, centroid = PLACES[geography.strip().casefold()]
    return {"@id": iri, "@type": "dct:Location", "dcat:bbox": bbox, "dcat:centroid": centroid}


def _publisher_type(code: str, label: str) -> Node:
    return {
        "@id": f"{ADMS_PUBLISHER_TYPE}{code}",
        "@type": "skos:Concept",
        "skos:prefLabel": {"@value": label, "@language": "en"},
    }


def _document(url: str) -> Node:
    return {"@id": url, "@type": "foaf:Document"}


def _text(value: str) -> Node:
    """What staff type into the catalog is written in the site's main language."""
    return {"@value": value, "@language": settings.LANGUAGE_CODE}


def _ui_text(value: "StrPromise") -> Node:
    return {"@value": str(value), "@language": get_language()}
