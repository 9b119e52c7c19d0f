"""Hub administrators publish or decline the holders' proposals on the admin's change
page, through `catalog.proposals`; reviewers only read them."""

import pytest
from django.urls import reverse

from catalog import proposals
from catalog.models import Base, BaseProposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(holder_member) -> BaseProposal:
    return proposals.proposal_create(
        base=Base.objects.get(slug="esme"),
        actor=holder_member,
        fields={"geography": "France métropolitaine"},
        milestones={},
    )


def change_url(proposal) -> str:
    return reverse("admin:catalog_baseproposal_change", args=[proposal.pk])


def test_an_administrator_reads_the_changes_and_publishes_them(client, administrator, proposal):
    client.force_login(administrator)
    page = client.get(change_url(proposal))
    assert "France métropolitaine" in page.content.decode()
    assert 'name="_publish"' in page.content.decode()

    response = client.post(change_url(proposal), {"decision_note": "", "_publish": "1"})

    assert response.status_code == 302
    assert BaseProposal.objects.get(pk=proposal.pk).state == BaseProposal.State.PUBLISHED
    assert Base.objects.get(slug="esme").geography == "France métropolitaine"


def test_declining_without_a_reason_is_a_message_and_changes_nothing(
    client, administrator, proposal
):
    client.force_login(administrator)

    response = client.post(change_url(proposal), {"decision_note": "", "_decline": "1"})

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert BaseProposal.objects.get(pk=proposal.pk).state == BaseProposal.State.PROPOSED


def test_an_administrator_declines_with_a_reason(client, administrator, proposal):
    client.force_login(administrator)

    client.post(change_url(proposal), {"decision_note": "Couverture nationale.", "_decline": "1"})

    declined = BaseProposal.objects.get(pk=proposal.pk)
    assert (declined.state, declined.decision_note) == ("declined", "Couverture nationale.")
    assert Base.objects.get(slug="esme").geography != "France métropolitaine"


def test_the_list_action_publishes_the_selected_proposals(client, administrator, proposal):
    client.force_login(administrator)

    client.post(
        reverse("admin:catalog_baseproposal_changelist"),
        {"action": "publish", "_selected_action": [proposal.pk]},
    )

    assert BaseProposal.objects.get(pk=proposal.pk).state == BaseProposal.State.PUBLISHED


def test_reviewers_read_the_proposals_but_cannot_publish_them(client, reviewer, proposal):
    client.force_login(reviewer)

    assert client.get(change_url(proposal)).status_code == 200
    response = client.post(change_url(proposal), {"decision_note": "", "_publish": "1"})

    assert response.status_code == 403
    assert BaseProposal.objects.get(pk=proposal.pk).state == BaseProposal.State.PROPOSED


def test_a_published_proposal_is_read_only(client, administrator, proposal):
    proposals.proposal_publish(proposal=proposal, actor=administrator)
    client.force_login(administrator)

    page = client.get(change_url(proposal))

    assert 'name="_publish"' not in page.content.decode()
    assert client.post(change_url(proposal), {"_publish": "1"}).status_code == 403
