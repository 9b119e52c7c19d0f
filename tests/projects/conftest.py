"""Applications in the states the tests start from."""

from datetime import date

import pytest

from catalog.models import Base
from portal.demo.catalog import load_catalog
from projects.models import Attachment, RequestedBase, Theme
from tests.factories import make_project
from tests.projects.files import pdf_upload


@pytest.fixture
def draft(owner, member, organisation):
    return make_project(
        owner=owner, members=[member], title="Étude des parcours", sponsor=organisation
    )


# What a data access application says under the EHDS regulation, as a submission needs it.
EHDS_FIELDS = {
    "data_users": "Dr Durand (CHU Nord), un biostatisticien de l'équipe.",
    "environment": "hub",
    "planned_outputs": "Tableaux agrégés et figures, sans donnée individuelle.",
    "legal_route": "cnil",
    "accepts_no_reidentification": True,
    "accepts_no_harm": True,
}


def complete(*, owner, member, organisation):
    """A draft with everything a submission needs (usable outside fixtures, for threads)."""
    draft = make_project(
        owner=owner, members=[member], title="Étude des parcours", sponsor=organisation
    )
    draft.summary = "Résumé public."
    draft.purpose = "Intérêt public."
    draft.methodology = "Cohorte rétrospective."
    draft.expected_results = "Publications."
    draft.funding = "ANR"
    draft.planned_start = date(2027, 1, 1)
    draft.duration_months = 24
    for name, value in EHDS_FIELDS.items():
        setattr(draft, name, value)
    draft.save()
    draft.themes.add(Theme.objects.get(slug="ai"))
    load_catalog()
    RequestedBase.objects.create(
        project=draft,
        base=Base.objects.get(slug="esme"),
        justification="Données de vie réelle.",
        period_start=date(2015, 1, 1),
        period_end=date(2022, 12, 31),
    )
    Attachment.objects.create(
        project=draft,
        kind=Attachment.Kind.PROTOCOL,
        file=pdf_upload("protocole.pdf"),
        original_name="protocole.pdf",
        content_type="application/pdf",
        size=100,
        uploaded_by=owner,
    )
    return draft


@pytest.fixture
def complete_draft(owner, member, organisation):
    return complete(owner=owner, member=member, organisation=organisation)
