"""The data holder's pages: the queues, deciding and delivering with bad input kept and
explained, the members page with its invitations, joining, and the header's link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import DataHolder, HolderMembership
from projects import clocks, holders, services
from projects.models import Decision, HolderDecision, HolderInvitation, RequestedBase
from tests.languages import english_url

pytestmark = pytest.mark.django_db

CONDITIONS = "Pas de croisement avec les autres bases."


@pytest.fixture
def esme(complete_draft, owner) -> RequestedBase:
    """ESME, Unicancer's, requested by a submitted application."""
    services.project_submit(project=complete_draft, actor=owner)
    return complete_draft.requested_bases.get()


@pytest.fixture
def signed_in(client, holder_member):
    client.force_login(holder_member)
    return client


def page_of(esme) -> str:
    return reverse("holder:request", kwargs={"pk": esme.pk})


def decide(client, esme, **data):
    return client.post(reverse("holder:decide", kwargs={"pk": esme.pk}), data)


def test_agreeing_with_conditions_shows_in_the_history(signed_in, esme, holder_member):
    response = decide(signed_in, esme, decision="conditions", note=CONDITIONS)

    assert response.status_code == 302
    assert response["Location"] == page_of(esme)
    page = signed_in.get(english_url(page_of(esme)))
    # The message was written in the language of the POST: French, the default.
    assert [m.message for m in page.context["messages"]] == [
        "Votre décision est enregistrée : Accord sous conditions. L'équipe du projet et la "
        "plateforme en sont informées."
    ]
    assert list(page.context["history"]) == list(HolderDecision.objects.all())
    text = page.content.decode()
    assert CONDITIONS in text
    assert "Revise your decision" in text
    assert RequestedBase.objects.get(pk=esme.pk).decision == Decision.AGREED_WITH_CONDITIONS


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"decision": "conditions", "note": ""}, "note"),
        ({"decision": "refused", "note": "   "}, "note"),
        ({"decision": "", "note": "Une note gardée."}, "decision"),
        ({"decision": "delivered", "note": "Une note gardée."}, "decision"),
        ({"decision": "agreed", "note": "x" * 5001}, "note"),
    ],
)
def test_bad_decisions_give_the_page_again_with_the_entries_kept(signed_in, esme, data, field):
    response = decide(signed_in, esme, **data)

    assert response.status_code == 200
    form = response.context["decision_form"]
    assert list(form.errors) == [field]
    assert form["note"].value() == data["note"]
    if data["note"].strip():
        assert data["note"][:50] in response.content.decode()
    assert RequestedBase.objects.get(pk=esme.pk).decision == Decision.PENDING
    assert not HolderDecision.objects.exists()


def test_a_refusal_of_the_service_is_shown_on_the_form(signed_in, esme):
    decide(signed_in, esme, decision="agreed", note="")

    response = decide(signed_in, esme, decision="agreed", note="")

    assert response.status_code == 200
    assert response.context["decision_form"].non_field_errors() == [
        "Cette décision est déjà enregistrée."
    ]
    assert HolderDecision.objects.count() == 1


@pytest.mark.parametrize(
    "day",
    ["not-a-date", "2026-02-30", "", lambda: (clocks.hub_today() + timedelta(days=2)).isoformat()],
)
def test_bad_delivery_dates_give_the_page_again_with_an_error(signed_in, esme, holder_member, day):
    holders.requested_base_decide(requested=esme, actor=holder_member, decision=Decision.AGREED)
    day = day() if callable(day) else day

    response = signed_in.post(
        reverse("holder:deliver", kwargs={"pk": esme.pk}), {"delivered_on": day}
    )

    assert response.status_code == 200
    assert list(response.context["delivery_form"].errors) == ["delivered_on"]
    assert RequestedBase.objects.get(pk=esme.pk).decision == Decision.AGREED


def test_the_delivery_is_recorded_and_closes_the_decision(signed_in, esme, holder_member):
    holders.requested_base_decide(requested=esme, actor=holder_member, decision=Decision.AGREED)
    today = clocks.hub_today().isoformat()

    response = signed_in.post(
        reverse("holder:deliver", kwargs={"pk": esme.pk}), {"delivered_on": today}
    )

    assert response.status_code == 302
    page = signed_in.get(page_of(esme))
    assert page.context["may_decide"] is False
    assert page.context["may_deliver"] is True  # the date may still be corrected
    assert RequestedBase.objects.get(pk=esme.pk).delivered_on.isoformat() == today


def test_the_queues_count_and_list_the_requests(signed_in, esme, holder_member):
    def counts():
        return signed_in.get(reverse("holder:requests")).context["queues"]

    assert [count for _name, _label, count in counts()] == [1, 0, 0, 0, 0]
    holders.requested_base_decide(requested=esme, actor=holder_member, decision=Decision.AGREED)
    assert [count for _name, _label, count in counts()] == [0, 1, 0, 0, 0]
    holders.requested_base_deliver(
        requested=esme, actor=holder_member, delivered_on=clocks.hub_today()
    )
    assert [count for _name, _label, count in counts()] == [0, 0, 1, 0, 0]


@pytest.mark.parametrize("query", [{"queue": "nope"}, {"queue": "to_decide", "page": "abc"}])
def test_an_unknown_queue_or_page_shows_the_first_page_to_decide(signed_in, esme, query):
    response = signed_in.get(reverse("holder:requests"), query)

    assert response.status_code == 200
    assert response.context["queue"] == "to_decide"
    assert [requested.pk for requested in response.context["page"]] == [esme.pk]


def test_the_header_links_to_the_holders_space_for_its_members_only(
    client, holder_member, owner, demo_catalog
):
    link = f'href="{reverse("holder:requests")}"'
    client.force_login(holder_member)
    assert link in client.get(reverse("home")).content.decode()

    client.force_login(owner)
    assert link not in client.get(reverse("home")).content.decode()


# Members and invitations.


def test_a_member_invites_a_colleague_who_joins_with_the_emailed_link(
    signed_in, client, holder_member, django_capture_on_commit_callbacks, outsider
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("holder:invite", kwargs={"pk": _unicancer().pk}), {"email": outsider.email}
        )
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == [outsider.email]
    assert "Unicancer" in email.subject
    link = re.search(r"https?://\S+/holder/join/\S+/", email.body)[0]
    path = link.split("testserver", 1)[-1]

    client.force_login(outsider)
    assert client.get(path).status_code == 200
    joined = client.post(path)

    assert joined["Location"] == reverse("holder:requests")
    assert HolderMembership.objects.filter(holder=_unicancer(), user=outsider).exists()
    # A sponsor of another organisation, now also a holder's member: both at once.
    assert outsider.organisations.exists()
    assert client.post(path).status_code == 302  # used: refused with a message
    assert HolderMembership.objects.filter(user=outsider).count() == 1


@pytest.mark.parametrize(
    ("email", "error"),
    [("not an address", "Saisissez une adresse"), ("hana@unicancer.example", "déjà membre")],
)
def test_a_bad_invitation_gives_the_page_again_with_the_entry_kept(
    signed_in, holder_member, email, error
):
    response = signed_in.post(
        reverse("holder:invite", kwargs={"pk": _unicancer().pk}), {"email": email}
    )

    assert response.status_code == 200
    [(holder, form)] = [row for row in response.context["rows"] if row[0] == _unicancer()]
    assert error in " ".join(form.errors["email"])
    assert f'value="{email}"' in response.content.decode()
    assert not HolderInvitation.objects.exists()


def test_anonymous_is_sent_to_sign_in_by_the_invitation_link(client, holder_member):
    invitation = HolderInvitation.objects.create(
        holder=_unicancer(), email="new@unicancer.example", invited_by=holder_member
    )
    token = services.signing.dumps(invitation.pk, salt=holders.HOLDER_INVITATION_SALT)
    path = reverse("holder:join", kwargs={"token": token})

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_a_forged_invitation_link_is_refused_with_a_message(signed_in):
    response = signed_in.get(reverse("holder:join", kwargs={"token": "forged"}))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def _unicancer() -> DataHolder:
    return DataHolder.objects.get(acronym="Unicancer")


# Proposing changes to a base's catalog entry.


def esme_form(**changes) -> dict:
    from catalog.models import PROPOSABLE_FIELDS, Base

    esme = Base.objects.get(slug="esme")
    data = {name: getattr(esme, name) or "" for name in PROPOSABLE_FIELDS}
    for milestone in esme.milestones.all():
        data[f"milestone_{milestone.kind}"] = milestone.reached_on
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period_start": "2020-01-01", "period_end": "2019-01-01"}, "__all__"),
        ({"milestone_transfer": "2999-01-01"}, "milestone_transfer"),
        ({"contact_email": "pas une adresse"}, "contact_email"),
        ({"update_frequency": "HOURLY"}, "update_frequency"),
        ({"description": ""}, "description"),
    ],
)
def test_a_bad_proposal_gives_the_form_again_with_the_entries_kept(
    signed_in, demo_catalog, changes, field
):
    from catalog.models import BaseProposal

    response = signed_in.post(
        reverse("holder:base", kwargs={"slug": "esme"}),
        esme_form(geography="Gardée telle quelle", **changes),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert form["geography"].value() == "Gardée telle quelle"
    assert not BaseProposal.objects.exists()


def test_a_proposal_is_listed_with_its_changes_and_waits_for_the_hub(signed_in, demo_catalog):
    from catalog.models import Base

    response = signed_in.post(
        reverse("holder:base", kwargs={"slug": "esme"}),
        esme_form(geography="France métropolitaine"),
    )

    assert response.status_code == 302
    page = signed_in.get(response["Location"])
    [proposal] = page.context["proposals"]
    assert proposal.changes == {"fields": {"geography": "France métropolitaine"}, "milestones": {}}
    assert "France métropolitaine" in page.content.decode()
    assert Base.objects.get(slug="esme").geography != "France métropolitaine"


def test_proposing_nothing_new_is_said_on_the_form(signed_in, demo_catalog):
    response = signed_in.post(reverse("holder:base", kwargs={"slug": "esme"}), esme_form())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_the_list_costs_the_same_queries_for_one_request_or_many(
    signed_in, esme, django_assert_max_num_queries
):
    from catalog.models import Base
    from tests.factories import make_public_project

    with django_assert_max_num_queries(12) as one:
        signed_in.get(reverse("holder:requests"))
    for number in range(2, 7):
        project = make_public_project(f"HDH-2027-{number:04d}", f"Projet {number}")
        RequestedBase.objects.create(project=project, base=Base.objects.get(slug="esme"))

    with django_assert_max_num_queries(12) as many:
        response = signed_in.get(reverse("holder:requests"))

    assert len(response.context["page"]) == 6
    assert len(many.captured_queries) == len(one.captured_queries)
