"""Sponsor organisations: never joined by typing a name, verified by the hub against their
identifier, labelled "not yet verified" in public until then, joined by invitation."""

import csv
import io
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import get_resolver, reverse

from projects import services
from projects.identifiers import normalise
from projects.models import Organisation, OrganisationInvitation, Project, TeamMember
from tests.factories import OrganisationFactory, UserFactory, make_public_project
from tests.projects.sponsor.test_application import EMPTY_FORMSET

pytestmark = pytest.mark.django_db

VALID_SIREN = "180092025"


def new_draft(client, **fields):
    return client.post(
        reverse("my:project-new"),
        {"title": "Projet", "edit_version": "1", "save": "1", **EMPTY_FORMSET, **fields},
    )


# Defect: typing the name of an organisation made the user one of its members.


@pytest.mark.parametrize("typed", ["CHU Nord", "chu nord", "  CHU   Nord "])
def test_typing_an_existing_organisation_name_does_not_join_it(
    client, outsider, organisation, typed
):
    client.force_login(outsider)

    response = new_draft(
        client,
        new_sponsor=typed,
        new_sponsor_identifier_kind="siren",
        new_sponsor_identifier=VALID_SIREN,
    )

    assert response.status_code == 200
    assert "new_sponsor" in response.context["form"].errors
    assert outsider not in organisation.members.all()
    assert not Project.objects.exists()
    assert Organisation.objects.count() == 2  # CHU Nord and the outsider's own


def test_an_existing_identifier_cannot_be_registered_again_under_another_name(
    client, outsider, organisation
):
    organisation.identifier_kind, organisation.identifier = "siren", VALID_SIREN
    organisation.save()
    client.force_login(outsider)

    response = new_draft(
        client,
        new_sponsor="CHU du Nord (bis)",
        new_sponsor_identifier_kind="siren",
        new_sponsor_identifier="180 092 025",
    )

    assert "new_sponsor_identifier" in response.context["form"].errors
    assert not Organisation.objects.filter(name="CHU du Nord (bis)").exists()
    assert outsider not in organisation.members.all()


@pytest.mark.parametrize(
    ("kind", "identifier"),
    [("siren", "180092026"), ("finess", "750712185"), ("rnsr", "199812965G"), ("", "180092025")],
    ids=["siren-bad-key", "finess-bad-key", "rnsr-bad-letter", "no-kind"],
)
def test_a_new_organisation_needs_an_identifier_with_a_valid_key(client, owner, kind, identifier):
    client.force_login(owner)

    response = new_draft(
        client,
        title="Titre gardé",
        new_sponsor="Institut Est",
        new_sponsor_identifier_kind=kind,
        new_sponsor_identifier=identifier,
    )

    assert response.status_code == 200
    assert "new_sponsor_identifier" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "Titre gardé"
    assert not Organisation.objects.filter(name="Institut Est").exists()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("siren", "180 092 025", "180092025"),
        ("siren", "267500452", "267500452"),
        ("finess", "75 071 218 4", "750712184"),
        ("finess", "690781810", "690781810"),
        ("finess", "2A0000001", "2A0000001"),
        ("rnsr", "199812965f", "199812965F"),
        ("rnsr", "198822446E", "198822446E"),
    ],
)
def test_identifiers_are_stored_compact_when_their_key_is_right(kind, typed, stored):
    assert normalise(kind, typed) == stored


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("siren", "18009202"),
        ("siren", "1800920250"),
        ("siren", "18009202A"),
        ("finess", "750712183"),
        ("finess", "7507121845"),
        ("finess", "2C0000001"),
        ("rnsr", "199812965E"),
        ("rnsr", "1998129651"),
        ("rnsr", "099812965F"),
        ("other", "180092025"),
    ],
)
def test_identifiers_with_a_wrong_format_or_key_are_refused(kind, typed):
    with pytest.raises(services.ValidationError):
        normalise(kind, typed)


# Public pages and exports say when the hub has not verified the sponsor yet.


@pytest.fixture
def unverified_and_verified(demo_catalog):
    unverified = make_public_project("HDH-2024-0001", "Projet non vérifié", sponsor="Labo Neuf")
    verified = make_public_project("HDH-2024-0002", "Projet vérifié", sponsor="CHU Sûr")
    verified.sponsor.verified_at = verified.sponsor.created_at
    verified.sponsor.save()
    return unverified, verified


def test_public_page_labels_a_sponsor_not_yet_verified(client, unverified_and_verified):
    unverified, verified = unverified_and_verified

    page = client.get(reverse("projects:public", kwargs={"reference": unverified.reference}))
    other = client.get(reverse("projects:public", kwargs={"reference": verified.reference}))

    assert "sponsor-unverified" in page.content.decode()
    assert "sponsor-unverified" not in other.content.decode()


def test_directory_labels_only_the_unverified_sponsor(client, unverified_and_verified):
    html = client.get(reverse("projects:directory")).content.decode()

    rows = re.findall(r"<li class=\"list-group-item.*?</li>", html, re.S) or [html]
    assert html.count("sponsor-unverified") == 1
    assert any("Labo Neuf" in row and "sponsor-unverified" in row for row in rows)


def test_exports_say_whether_the_sponsor_is_verified(client, unverified_and_verified):
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("projects:export-csv")).streaming_content)
                .decode()
                .lstrip("\ufeff")
            )
        )
    )
    records = json.loads(b"".join(client.get(reverse("projects:export-json")).streaming_content))

    assert {row["sponsor"]: row["sponsor_verified"] for row in rows} == {
        "Labo Neuf": "false",
        "CHU Sûr": "true",
    }
    assert {record["sponsor"]: record["sponsor_verified"] for record in records} == {
        "Labo Neuf": False,
        "CHU Sûr": True,
    }


# Verification by a hub administrator, in the admin.


def verify_in_admin(client, organisation):
    return client.post(
        reverse("admin:projects_organisation_changelist"),
        {"action": "verify", "_selected_action": [organisation.pk]},
    )


def test_a_hub_administrator_verifies_an_organisation_by_its_identifier(client, administrator):
    organisation = OrganisationFactory(
        name="Labo Neuf", identifier_kind="siren", identifier=VALID_SIREN
    )
    client.force_login(administrator)

    response = verify_in_admin(client, organisation)

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_verified
    assert organisation.verified_by == administrator


def test_an_organisation_without_a_valid_identifier_is_not_verified(client, administrator):
    organisation = OrganisationFactory(name="Labo Flou")
    client.force_login(administrator)

    verify_in_admin(client, organisation)

    organisation.refresh_from_db()
    assert not organisation.is_verified
    assert [str(m) for m in mail.outbox] == []


def test_a_reviewer_cannot_verify_organisations(client, reviewer):
    organisation = OrganisationFactory(
        name="Labo Neuf", identifier_kind="siren", identifier=VALID_SIREN
    )
    client.force_login(reviewer)

    verify_in_admin(client, organisation)

    organisation.refresh_from_db()
    assert not organisation.is_verified
    with pytest.raises(services.OrganisationError):
        services.organisation_verify(organisation=organisation, actor=reviewer)
    assert not reviewer.has_perm("projects.verify_organisation")


def test_only_the_hub_administrators_group_holds_the_verification_permission():
    holders = Permission.objects.get(codename="verify_organisation").group_set
    assert set(holders.values_list("name", flat=True)) == {"hub administrators"}


# Defect: a team member outside the sponsor organisation wiped the sponsor by saving.


@pytest.fixture
def outside_colleague(draft):
    """On the draft's team, but not a member of its sponsor organisation."""
    user = UserFactory(email="dora@labo-ouest.example")
    TeamMember.objects.create(project=draft, user=user)
    return user


def test_a_team_member_outside_the_sponsor_saves_without_changing_the_sponsor(
    client, draft, outside_colleague, organisation
):
    client.force_login(outside_colleague)
    form = client.get(reverse("my:project-edit", kwargs={"pk": draft.pk})).context["form"]
    assert form.fields["sponsor"].disabled
    assert "new_sponsor" not in form.fields

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {"title": "Titre revu", "edit_version": draft.edit_version, "save": "1", **EMPTY_FORMSET},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.sponsor) == ("Titre revu", organisation)


def test_a_team_member_outside_the_sponsor_cannot_swap_it_for_their_own(
    client, draft, outside_colleague, organisation
):
    own = OrganisationFactory(name="Labo Ouest")
    own.members.add(outside_colleague)
    client.force_login(outside_colleague)

    client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": draft.title,
            "sponsor": own.pk,
            "new_sponsor": "Autre Labo",
            "new_sponsor_identifier_kind": "siren",
            "new_sponsor_identifier": VALID_SIREN,
            "edit_version": draft.edit_version,
            "save": "1",
            **EMPTY_FORMSET,
        },
    )

    draft.refresh_from_db()
    assert draft.sponsor == organisation
    assert not Organisation.objects.filter(name="Autre Labo").exists()


def test_a_member_of_the_sponsor_may_still_change_it(client, draft, owner):
    other = OrganisationFactory(name="CHU Nord - Recherche")
    other.members.add(owner)
    client.force_login(owner)

    client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": draft.title,
            "sponsor": other.pk,
            "edit_version": draft.edit_version,
            "save": "1",
            **EMPTY_FORMSET,
        },
    )

    draft.refresh_from_db()
    assert draft.sponsor == other


# Joining by invitation from a member.


def invitation_link(message) -> str:
    return re.search(r"https?://\S+/my/organisations/join/\S+/", message.body).group(0)


def test_a_member_invites_a_colleague_who_joins_by_the_emailed_link(
    client, owner, organisation, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="nadia@chu-nord.example")
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", kwargs={"pk": organisation.pk}),
            {"email": "Nadia@CHU-Nord.example"},
        )

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["nadia@chu-nord.example"]]
    url = invitation_link(mail.outbox[0])
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    assert colleague not in organisation.members.all()  # a GET joins nothing

    client.post(url)

    assert colleague in organisation.members.all()
    assert OrganisationInvitation.objects.get().accepted_at is not None
    assert client.post(url).status_code == 302  # used once: the second time joins nothing


def test_the_link_only_works_for_the_invited_address(
    client, owner, outsider, organisation, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organisations:invite", kwargs={"pk": organisation.pk}),
            {"email": "nadia@chu-nord.example"},
        )
    client.force_login(outsider)

    client.post(invitation_link(mail.outbox[0]))

    assert outsider not in organisation.members.all()


def test_only_members_invite_to_an_organisation(
    client, outsider, organisation, django_capture_on_commit_callbacks
):
    client.force_login(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", kwargs={"pk": organisation.pk}),
            {"email": "charlie2@labo-sud.example"},
        )

    assert response.status_code == 404
    assert mail.outbox == []
    assert not OrganisationInvitation.objects.exists()


def test_registering_an_organisation_from_my_organisations(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("organisations:list"),
        {"name": "Institut Est", "identifier_kind": "rnsr", "identifier": "199812965f"},
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Institut Est")
    assert (organisation.identifier, organisation.is_verified) == ("199812965F", False)
    assert list(organisation.members.all()) == [owner]


def test_registering_an_existing_name_from_my_organisations_joins_nothing(
    client, outsider, organisation
):
    client.force_login(outsider)

    response = client.post(
        reverse("organisations:list"),
        {"name": "chu nord", "identifier_kind": "siren", "identifier": VALID_SIREN},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert outsider not in organisation.members.all()


# Who may open each organisation URL.

LOGIN = "login"
PERSONAS = ["anonymous", "owner", "outsider", "reviewer"]
TABLE = {
    ("list", "get"): (LOGIN, 200, 200, 200),
    ("invite", "get"): (LOGIN, 405, 405, 405),
    ("invite", "post"): (LOGIN, 302, 404, 404),
    ("join", "get"): (LOGIN, 200, 200, 200),
}


@pytest.fixture
def world(owner, outsider, reviewer, organisation):
    invitation = OrganisationInvitation.objects.create(
        organisation=organisation, email="x@chu-nord.example", invited_by=owner
    )
    token = services.signing.dumps(invitation.pk, salt=services.ORGANISATION_INVITATION_SALT)
    return {
        "users": {"owner": owner, "outsider": outsider, "reviewer": reviewer},
        "kwargs": {"invite": {"pk": organisation.pk}, "join": {"token": token}},
        "organisation": organisation,
    }


def cases():
    for (name, method), expected in TABLE.items():
        for persona, status in zip(PERSONAS, expected, strict=True):
            yield pytest.param(name, method, persona, status, id=f"{persona}-{method}-{name}")


@pytest.mark.parametrize(("name", "method", "persona", "status"), list(cases()))
def test_organisation_urls_answer_each_persona(world, client, name, method, persona, status):
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    url = reverse(f"organisations:{name}", kwargs=world["kwargs"].get(name, {}))
    members_before = set(world["organisation"].members.all())

    if method == "post":
        response = client.post(url, {"email": "new@chu-nord.example"})
    else:
        response = client.get(url)

    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == status
    invited = OrganisationInvitation.objects.filter(email="new@chu-nord.example").exists()
    assert invited == (persona == "owner" and method == "post")
    assert set(world["organisation"].members.all()) == members_before


def test_every_organisation_url_is_in_the_table():
    names = {
        pattern.name
        for pattern in get_resolver().namespace_dict["organisations"][1].url_patterns
        if getattr(pattern, "name", None)
    }
    assert names == {name for name, _method in TABLE}
