"""Who may open each data holder URL: one row per (URL, method, request), one column per
persona. A URL of the `holder` namespace without a row makes
`test_every_holder_url_is_in_the_table` fail.

The holder persona is a member of Unicancer, which holds ESME. The requests: ESME in a
submitted application (to decide); ESME in a draft never submitted (nobody outside
the team sees it); ESME agreed in a launched project (to deliver; no longer decided);
BNDMR, AP-HP's, in the submitted application (the other holder's). A sponsor (the
owner of the applications), an outsider, the hub's reviewers and administrators get
a 404 on every page: the holder's pages are the holder's alone.

A POST row says, beside the status code, whether it did what it asks (DONE) or not
(REFUSED: the page again with the form's error, or a redirect with a message), and
the test checks it in the database.
"""

from datetime import date

import pytest
from django.urls import reverse

from catalog.models import PROPOSABLE_FIELDS, Base, BaseProposal, DataHolder, HolderMembership
from projects import holders, services
from projects.models import Decision, HolderInvitation, InternalNote, Project, RequestedBase
from tests.factories import make_project
from tests.permission_table import DONE, GET, LOGIN, POST, REFUSED, assert_answer, cases, url_names

REFUSED_PAGE = "200, refused"  # the page again with the form's error, nothing changed
TO_DECIDE, DRAFT, LAUNCHED, OTHERS = "to decide", "draft", "launched", "other holder's"
PERSONAS = [
    "anonymous",
    "holder_member",
    "other_holder_member",
    "owner",
    "outsider",
    "reviewer",
    "administrator",
]

# (url name, method, object): expected answer for anonymous, the holder's member, a
# member of another holder, the sponsor (owner), an outsider, a reviewer, a hub
# administrator.
TABLE = {
    ("requests", GET, None): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("members", GET, None): (LOGIN, 200, 200, 404, 404, 404, 404),
    ("invite", POST, None): (LOGIN, DONE, 404, 404, 404, 404, 404),
    # ESME's catalog entry: its holder proposes changes, nobody else.
    ("base", GET, None): (LOGIN, 200, 404, 404, 404, 404, 404),
    ("base", POST, None): (LOGIN, DONE, 404, 404, 404, 404, 404),
    # The link of an invitation sent to the outsider's address: only they join.
    ("join", GET, None): (LOGIN, 200, 200, 200, 200, 200, 200),
    ("join", POST, None): (LOGIN, REFUSED, REFUSED, REFUSED, DONE, REFUSED, REFUSED),
    ("request", GET, TO_DECIDE): (LOGIN, 200, 404, 404, 404, 404, 404),
    ("decide", GET, TO_DECIDE): (LOGIN, 405, 405, 405, 405, 405, 405),
    ("decide", POST, TO_DECIDE): (LOGIN, DONE, 404, 404, 404, 404, 404),
    # Not agreed yet: nothing to deliver.
    ("deliver", POST, TO_DECIDE): (LOGIN, REFUSED_PAGE, 404, 404, 404, 404, 404),
    ("request", GET, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404),
    ("decide", POST, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404),
    ("deliver", POST, DRAFT): (LOGIN, 404, 404, 404, 404, 404, 404),
    ("request", GET, LAUNCHED): (LOGIN, 200, 404, 404, 404, 404, 404),
    ("decide", POST, LAUNCHED): (LOGIN, REFUSED_PAGE, 404, 404, 404, 404, 404),
    ("deliver", POST, LAUNCHED): (LOGIN, DONE, 404, 404, 404, 404, 404),
    ("request", GET, OTHERS): (LOGIN, 404, 200, 404, 404, 404, 404),
    ("decide", POST, OTHERS): (LOGIN, 404, DONE, 404, 404, 404, 404),
}

POST_DATA = {
    "decide": {"decision": Decision.REFUSED, "note": "Hors du périmètre de la base."},
    "deliver": {"delivered_on": "2026-06-01"},
    "invite": {"email": "new@unicancer.example"},
    "join": {},
}
NEW_GEOGRAPHY = "France métropolitaine"


def base_form_data() -> dict:
    """ESME's entry as its form shows it, with one change."""
    esme = Base.objects.get(slug="esme")
    data = {name: getattr(esme, name) or "" for name in PROPOSABLE_FIELDS}
    for milestone in esme.milestones.all():
        data[f"milestone_{milestone.kind}"] = milestone.reached_on
    return {**data, "geography": NEW_GEOGRAPHY}


@pytest.fixture
def world(
    complete_draft,
    owner,
    member,
    organisation,
    outsider,
    reviewer,
    administrator,
    holder_member,
    other_holder_member,
):
    submitted = complete_draft
    RequestedBase.objects.create(
        project=submitted,
        base=Base.objects.get(slug="bndmr"),
        justification="Justification pour AP-HP seulement.",
        period_start=date(2015, 1, 1),
        period_end=date(2022, 12, 31),
    )
    services.project_submit(project=submitted, actor=owner)
    InternalNote.objects.create(project=submitted, author=reviewer, body="Note interne.")
    draft = make_project(owner=owner, title="Brouillon", sponsor=organisation)
    launched = make_project(owner=owner, title="Lancé", sponsor=organisation)
    Project.objects.filter(pk=launched.pk).update(status="in_progress", reference="HDH-2026-0999")
    esme = Base.objects.get(slug="esme")
    requests = {
        TO_DECIDE: submitted.requested_bases.get(base=esme),
        OTHERS: submitted.requested_bases.get(base__slug="bndmr"),
        DRAFT: RequestedBase.objects.create(project=draft, base=esme),
        LAUNCHED: RequestedBase.objects.create(
            project=launched, base=esme, decision=Decision.AGREED, decided_on=date(2026, 5, 1)
        ),
    }
    unicancer = DataHolder.objects.get(acronym="Unicancer")
    invitation = HolderInvitation.objects.create(
        holder=unicancer, email=outsider.email, invited_by=holder_member
    )
    token = services.signing.dumps(invitation.pk, salt=holders.HOLDER_INVITATION_SALT)
    users = {
        "holder_member": holder_member,
        "other_holder_member": other_holder_member,
        "owner": owner,
        "outsider": outsider,
        "reviewer": reviewer,
        "administrator": administrator,
    }
    return {
        "requests": requests,
        "holder": unicancer,
        "invitation": invitation,
        "token": token,
        "users": users,
    }


def url_of(name: str, kind: str | None, world: dict) -> str:
    if name in ("request", "decide", "deliver"):
        return reverse(f"holder:{name}", kwargs={"pk": world["requests"][kind].pk})
    if name == "invite":
        return reverse("holder:invite", kwargs={"pk": world["holder"].pk})
    if name == "join":
        return reverse("holder:join", kwargs={"token": world["token"]})
    if name == "base":
        return reverse("holder:base", kwargs={"slug": "esme"})
    return reverse(f"holder:{name}")


def observe(name: str, kind: str | None, world: dict):
    """What the POST to `name` may change, read from the database."""
    if name in ("decide", "deliver"):
        requested = RequestedBase.objects.get(pk=world["requests"][kind].pk)
        return (
            requested.decision,
            requested.decision_note,
            requested.delivered_on,
            requested.history.count(),
        )
    if name == "invite":
        return sorted(world["holder"].invitations.values_list("email", flat=True))
    if name == "join":
        members = HolderMembership.objects.filter(holder=world["holder"])
        used = HolderInvitation.objects.get(pk=world["invitation"].pk).accepted_at is not None
        return (sorted(members.values_list("user__email", flat=True)), used)
    if name == "base":
        return list(BaseProposal.objects.values_list("changes", "proposed_by__email"))
    raise AssertionError(name)


def done(name: str, kind: str | None, before, world: dict):
    """What `observe` reads once the POST did what it asks."""
    if name == "decide":
        return (Decision.REFUSED, POST_DATA["decide"]["note"], None, before[3] + 1)
    if name == "deliver":
        return (Decision.DELIVERED, before[1], date(2026, 6, 1), before[3] + 1)
    if name == "invite":
        return sorted([*before, "new@unicancer.example"])
    if name == "join":
        return (sorted([*before[0], "charlie@labo-sud.example"]), True)
    if name == "base":
        change = {"fields": {"geography": NEW_GEOGRAPHY}, "milestones": {}}
        return [*before, (change, "hana@unicancer.example")]
    raise AssertionError(name)


@pytest.mark.parametrize(
    ("name", "method", "kind", "persona", "status"), list(cases(TABLE, PERSONAS))
)
def test_holder_urls_answer_each_persona(world, client, name, method, kind, persona, status):
    user = world["users"].get(persona)
    if user is not None:
        client.force_login(user)
    url = url_of(name, kind, world)
    before = observe(name, kind, world) if method == POST else None

    data = base_form_data() if name == "base" else POST_DATA.get(name)
    response = client.post(url, data) if method == POST else client.get(url)

    if status == REFUSED_PAGE:
        assert response.status_code == 200
        assert response.context[f"{'decision' if name == 'decide' else 'delivery'}_form"].errors
    else:
        assert_answer(response, status)
    if method == POST:
        after = observe(name, kind, world)
        if status == DONE:
            assert after == done(name, kind, before, world)
            assert after != before
        else:
            assert after == before


def test_every_holder_url_is_in_the_table():
    assert url_names("holder") == {name for name, _method, _kind in TABLE}


def test_the_holder_reads_its_base_only_never_another_holders_nor_internal_notes(
    world, client, holder_member
):
    client.force_login(holder_member)

    response = client.get(url_of("request", TO_DECIDE, world))

    page = response.content.decode()
    assert "Données de vie réelle." in page  # ESME's justification
    assert "Justification pour AP-HP seulement." not in page
    assert "Note interne." not in page
    assert "Étude des parcours" in page
    assert "Cohorte rétrospective." in page  # the methodology


def test_the_holders_list_shows_its_own_bases_past_submission_only(world, client, holder_member):
    client.force_login(holder_member)

    listed = {
        queue: [
            requested.pk
            for requested in client.get(reverse("holder:requests"), {"queue": queue}).context[
                "page"
            ]
        ]
        for queue in ["to_decide", "to_deliver"]
    }

    assert listed == {
        "to_decide": [world["requests"][TO_DECIDE].pk],
        "to_deliver": [world["requests"][LAUNCHED].pk],
    }
