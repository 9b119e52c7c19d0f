"""Personas: the owner and a member of a project's team, an outsider from another
organisation, a reviewer from the hub's staff, and anonymous visitors."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress

from catalog.models import Base
from projects.models import Attachment, Organisation, RequestedBase, Theme
from tests.factories import OrganisationFactory, UserFactory, make_project
from tests.projects.files import pdf_upload


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def owner(db):
    return verified(UserFactory(email="alice@chu-nord.example", first_name="Alice"))


@pytest.fixture
def member(db):
    return verified(UserFactory(email="bob@chu-nord.example", first_name="Bob"))


@pytest.fixture
def outsider(db):
    user = verified(UserFactory(email="charlie@labo-sud.example", first_name="Charlie"))
    OrganisationFactory(name="Laboratoire Sud").members.add(user)
    return user


@pytest.fixture
def reviewer(db):
    return UserFactory(email="rita@hub.example", is_staff=True)


@pytest.fixture
def organisation(owner, member) -> Organisation:
    organisation = OrganisationFactory(name="CHU Nord")
    organisation.members.add(owner, member)
    return organisation


@pytest.fixture
def draft(owner, member, organisation):
    return make_project(
        owner=owner, members=[member], title="Étude des parcours", sponsor=organisation
    )


@pytest.fixture
def complete_draft(draft, owner, demo_catalog):
    """A draft with everything a submission needs."""
    draft.summary = "Résumé public."
    draft.purpose = "Intérêt public."
    draft.methodology = "Cohorte rétrospective."
    draft.expected_results = "Publications."
    draft.funding = "ANR"
    draft.planned_start = date(2027, 1, 1)
    draft.duration_months = 24
    draft.save()
    draft.themes.add(Theme.objects.get(slug="ai"))
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
