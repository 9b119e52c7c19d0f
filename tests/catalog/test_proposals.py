"""Data holders propose updates of their bases' catalog entries and milestone dates; a
hub administrator publishes them (`catalog.proposals`). Each proposal is kept with
who and when, and what it replaced."""

from datetime import date

import pytest

from catalog import proposals
from catalog.models import Base, BaseProposal, Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def esme(demo_catalog) -> Base:
    return Base.objects.get(slug="esme")


def propose(base, actor, fields=None, milestones=None) -> BaseProposal:
    return proposals.proposal_create(
        base=base, actor=actor, fields=fields or {}, milestones=milestones or {}
    )


def milestones_of(base) -> dict:
    return dict(base.milestones.values_list("kind", "reached_on"))


def test_a_member_proposes_only_what_differs_and_the_catalog_waits(esme, holder_member):
    before = Base.objects.get(pk=esme.pk)
    contract_day = milestones_of(esme)["contract"]

    proposal = propose(
        esme,
        holder_member,
        fields={"geography": "France métropolitaine", "keywords": esme.keywords},
        milestones={"contract": contract_day, "documentation": date(2024, 2, 1)},
    )

    assert proposal.changes == {
        "fields": {"geography": "France métropolitaine"},
        "milestones": {"documentation": "2024-02-01"},
    }
    assert proposal.previous == {
        "fields": {"geography": before.geography},
        "milestones": {"documentation": milestones_of(esme)["documentation"].isoformat()},
    }
    assert (proposal.state, proposal.proposed_by) == (BaseProposal.State.PROPOSED, holder_member)
    assert Base.objects.get(pk=esme.pk).geography == before.geography


@pytest.mark.parametrize("persona", ["other_holder_member", "owner", "administrator"])
def test_only_the_bases_holder_proposes(request, esme, persona):
    with pytest.raises(proposals.ProposalError):
        propose(esme, request.getfixturevalue(persona), fields={"geography": "Ailleurs"})
    assert not BaseProposal.objects.exists()


def test_a_proposal_that_changes_nothing_is_refused(esme, holder_member):
    with pytest.raises(proposals.ProposalError):
        propose(esme, holder_member, fields={"geography": esme.geography})
    assert not BaseProposal.objects.exists()


def test_a_new_proposal_replaces_the_one_waiting_which_is_kept(esme, holder_member):
    first = propose(esme, holder_member, fields={"geography": "Île-de-France"})
    second = propose(esme, holder_member, fields={"geography": "France entière et DROM"})

    assert BaseProposal.objects.get(pk=first.pk).state == BaseProposal.State.SUPERSEDED
    assert BaseProposal.objects.get(pk=second.pk).state == BaseProposal.State.PROPOSED


def test_publishing_applies_the_changes_and_keeps_who_when_and_what_was_replaced(
    esme, holder_member, administrator
):
    old_geography = esme.geography
    old_documentation = milestones_of(esme)["documentation"]
    proposal = propose(
        esme,
        holder_member,
        fields={"geography": "France métropolitaine", "period_end": date(2023, 12, 31)},
        milestones={"documentation": date(2024, 2, 1), "transfer": None},
    )

    published = proposals.proposal_publish(proposal=proposal, actor=administrator)

    base = Base.objects.get(pk=esme.pk)
    assert (base.geography, base.period_end) == ("France métropolitaine", date(2023, 12, 31))
    reached = milestones_of(base)
    assert reached["documentation"] == date(2024, 2, 1)
    assert "transfer" not in reached
    assert (published.state, published.decided_by) == (BaseProposal.State.PUBLISHED, administrator)
    assert published.decided_at is not None
    assert published.previous["fields"] == {"geography": old_geography, "period_end": None}
    assert published.previous["milestones"]["documentation"] == old_documentation.isoformat()
    with pytest.raises(proposals.ProposalError):
        proposals.proposal_publish(proposal=published, actor=administrator)


def test_a_proposal_the_catalog_rules_refuse_is_not_published(esme, holder_member, administrator):
    proposal = propose(esme, holder_member, fields={"period_end": date(2000, 1, 1)})

    with pytest.raises(proposals.ProposalError):
        proposals.proposal_publish(proposal=proposal, actor=administrator)

    assert Base.objects.get(pk=esme.pk).period_end is None
    assert BaseProposal.objects.get(pk=proposal.pk).state == BaseProposal.State.PROPOSED


@pytest.mark.parametrize("persona", ["reviewer", "holder_member", "staff_without_group"])
def test_only_the_hub_administrators_publish_or_decline(request, esme, holder_member, persona):
    proposal = propose(esme, holder_member, fields={"geography": "Ailleurs"})
    actor = request.getfixturevalue(persona)

    with pytest.raises(proposals.ProposalError):
        proposals.proposal_publish(proposal=proposal, actor=actor)
    with pytest.raises(proposals.ProposalError):
        proposals.proposal_decline(proposal=proposal, actor=actor, reason="Non.")
    assert BaseProposal.objects.get(pk=proposal.pk).state == BaseProposal.State.PROPOSED
    assert Base.objects.get(pk=esme.pk).geography != "Ailleurs"


def test_declining_needs_a_reason_and_changes_nothing_in_the_catalog(
    esme, holder_member, administrator
):
    proposal = propose(esme, holder_member, fields={"geography": "Ailleurs"})
    with pytest.raises(proposals.ProposalError):
        proposals.proposal_decline(proposal=proposal, actor=administrator, reason="  ")

    declined = proposals.proposal_decline(
        proposal=proposal, actor=administrator, reason="La couverture est nationale."
    )

    assert (declined.state, declined.decision_note, declined.decided_by) == (
        BaseProposal.State.DECLINED,
        "La couverture est nationale.",
        administrator,
    )
    assert Base.objects.get(pk=esme.pk).geography != "Ailleurs"


def test_the_lines_show_each_change_beside_the_value_it_replaces(english, esme, holder_member):
    proposal = propose(
        esme,
        holder_member,
        fields={"update_frequency": Base.Frequency.MONTHLY},
        milestones={"transfer": None},
    )

    assert [(str(line["label"]), str(line["after"])) for line in proposal.lines()] == [
        ("update frequency", "Monthly"),
        (str(Milestone.Kind.TRANSFER.label), "(removed)"),
    ]
