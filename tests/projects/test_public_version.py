"""The public data version: moved on by every change the public can see, in the same
transaction, and by nothing else, so that a draft saved never throws away a cached
public page or count."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.clocks import hub_today
from projects.identifiers import siren_with_key
from projects.models import Attachment, Organisation, Project, PublicVersion, Status
from projects.public.directory import data_version
from projects.review.imports import import_rows, read_rows
from tests.factories import make_project
from tests.projects.conftest import complete
from tests.projects.files import pdf_upload
from tests.projects.review.test_admin_review import _change_form_data, change_url

pytestmark = pytest.mark.django_db


@dataclass
class Hub:
    """What each write acts on: a draft, a submitted file, and the people."""

    client: object
    owner: object
    member: object
    reviewer: object
    administrator: object
    draft: Project
    submitted: Project


@pytest.fixture
def hub(client, owner, member, reviewer, administrator, organisation):
    submitted = complete(owner=owner, member=member, organisation=organisation)
    submitted = services.project_submit(project=submitted, actor=owner)
    # A draft of another organisation, which sponsors nothing the public sees.
    draft = make_project(
        owner=owner,
        title="Brouillon",
        sponsor=Organisation.objects.create(name="Laboratoire discret"),
    )
    return Hub(client, owner, member, reviewer, administrator, draft, submitted)


def save_draft(hub: Hub) -> None:
    def write():
        hub.draft.summary = "Un résumé qui change à chaque frappe."
        hub.draft.save()

    services.project_save_content(
        project=hub.draft, expected_version=hub.draft.edit_version, save=write
    )


def attach_to_draft(hub: Hub) -> None:
    uploads = [(Attachment.Kind.OTHER, pdf_upload("annexe.pdf"), "application/pdf")]
    services.attachments_add(project=hub.draft, actor=hub.owner, uploads=uploads)


def team_message(hub: Hub) -> None:
    services.message_post(project=hub.submitted, author=hub.member, body="Voici l'annexe.")


def hub_message(hub: Hub) -> None:
    services.message_post(project=hub.submitted, author=hub.reviewer, body="Bien reçu.")


def _post_change_page(hub: Hub, **changes) -> None:
    hub.client.force_login(hub.administrator)
    data = _change_form_data(hub.client, hub.submitted)
    data.update(changes)
    response = hub.client.post(change_url(hub.submitted), data)
    assert response.status_code == 302, response.context and response.context["errors"]


def staff_note(hub: Hub) -> None:
    _post_change_page(hub, **{"notes-TOTAL_FORMS": "1", "notes-0-body": "Dossier prioritaire."})
    assert hub.submitted.notes.get().body == "Dossier prioritaire."


def holder_decision(hub: Hub) -> None:
    _post_change_page(
        hub,
        **{
            "requested_bases-0-decision": "agreed",
            "requested_bases-0-decided_on": hub_today().isoformat(),
        },
    )
    assert hub.submitted.requested_bases.get().decision == "agreed"


def assign_reviewer(hub: Hub) -> None:
    services.project_assign(project=hub.submitted, reviewer=hub.reviewer, actor=hub.administrator)


def read_thread(hub: Hub) -> None:
    services.thread_mark_read(project=hub.submitted, reader=hub.reviewer)


def withdraw_draft(hub: Hub) -> None:
    services.project_transition(
        project=hub.draft, actor=hub.owner, to=Status.WITHDRAWN, reason="Abandonné."
    )


def rename_sponsor_of_drafts_only(hub: Hub) -> None:
    _rename(hub, hub.draft.sponsor, "Laboratoire renommé")


def submit(hub: Hub) -> None:
    hub.draft.sponsor = hub.submitted.sponsor
    hub.draft.save()
    project = complete(owner=hub.owner, member=hub.member, organisation=hub.submitted.sponsor)
    services.project_submit(project=project, actor=hub.owner)


def public_status_change(hub: Hub) -> None:
    services.project_transition(project=hub.submitted, actor=hub.reviewer, to=Status.UNDER_REVIEW)


def save_while_changes_requested(hub: Hub) -> None:
    project = services.project_transition(
        project=hub.submitted, actor=hub.reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez."
    )

    def write():
        project.title = "Titre précisé"
        project.save()

    services.project_save_content(
        project=project, expected_version=project.edit_version, save=write
    )


def rename_sponsor_with_public_projects(hub: Hub) -> None:
    _rename(hub, hub.submitted.sponsor, "Groupe hospitalier Méridien")


def _rename(hub: Hub, organisation: Organisation, name: str) -> None:
    hub.client.force_login(hub.administrator)
    response = hub.client.post(
        reverse("admin:projects_organisation_change", args=[organisation.pk]),
        {"name": name, "identifier_kind": "", "identifier": "", "members": []},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).name == name


def verify_sponsor_with_public_projects(hub: Hub) -> None:
    sponsor = hub.submitted.sponsor
    sponsor.identifier_kind, sponsor.identifier = "siren", siren_with_key("77566830")
    sponsor.save()
    services.organisation_verify(organisation=sponsor, actor=hub.administrator)


def staff_record_the_opinion(hub: Hub) -> None:
    _post_change_page(
        hub,
        **{
            "opinion-TOTAL_FORMS": "1",
            "opinion-0-verdict": "favourable",
            "opinion-0-given_on": "2027-01-05",
            "opinion-0-text": "",
        },
    )
    assert hub.submitted.opinion_on_record is not None


def extend_the_decision_deadline(hub: Hub) -> None:
    services.deadline_extend(
        project=hub.submitted, actor=hub.reviewer, clock="decision", reason="Dossier complexe."
    )


def import_a_register(hub: Hub) -> None:
    rows = read_rows(
        [
            "reference,title,summary,sponsor,themes,programme,bases,status,submitted_on,"
            "launched_on",
            "HDH-2023-0101,Étude A,Résumé A,Institut Nouveau,ai,,ESME,submitted,2023-01-10,",
        ]
    )
    import_rows(rows, source="registre.csv")


WRITES = [
    # What the public cannot see: never a new version.
    (save_draft, False),
    (attach_to_draft, False),
    (team_message, False),
    (hub_message, False),
    (staff_note, False),
    (holder_decision, False),
    (assign_reviewer, False),
    (read_thread, False),
    (withdraw_draft, False),
    (rename_sponsor_of_drafts_only, False),
    # What it can: a new version at once.
    (submit, True),
    (public_status_change, True),
    (save_while_changes_requested, True),
    (rename_sponsor_with_public_projects, True),
    (verify_sponsor_with_public_projects, True),
    (staff_record_the_opinion, True),
    (extend_the_decision_deadline, True),
    (import_a_register, True),
]


@pytest.mark.parametrize(("write", "moves"), WRITES, ids=[write.__name__ for write, _ in WRITES])
def test_the_version_moves_only_on_what_the_public_can_see(hub, write, moves):
    before = data_version()

    write(hub)

    assert (data_version() != before) is moves


def test_the_version_is_one_row_and_counts_each_change(hub):
    number = PublicVersion.objects.get().number

    public_status_change(hub)
    save_draft(hub)

    assert PublicVersion.objects.get().number == number + 1


def test_a_change_rolled_back_leaves_the_version(hub):
    before = data_version()

    with pytest.raises(services.TransitionError):
        # Approving needs the authorisation on record: refused after the status is read.
        services.project_transition(project=hub.submitted, actor=hub.reviewer, to=Status.APPROVED)

    assert data_version() == before


def test_a_flushed_database_starts_a_version_again(hub):
    """Tests that flush the database (transactional ones) remove the migration's row."""
    PublicVersion.objects.all().delete()
    assert data_version() == "0"

    public_status_change(hub)

    assert PublicVersion.objects.get().number == 1


# The cached public pages follow the version: kept across a draft saved (one query, the
# version, and nothing recomputed), recomputed after a public change.


PAGES = [
    # (page, queries when served from the cache: the version, and for the processing
    # times the hub's deadlines, which are part of their key)
    ("projects:directory", {}, 1),
    ("stats", {}, 1),
    ("stats-processing", {}, 2),
]
PRIVATE_WRITES = [save_draft, attach_to_draft, team_message, assign_reviewer]


@pytest.mark.parametrize(("page", "kwargs", "queries"), PAGES)
def test_public_pages_are_served_from_the_cache_after_private_writes(
    client, hub, django_assert_num_queries, page, kwargs, queries
):
    client.logout()
    client.get(reverse(page, kwargs=kwargs))

    for write in PRIVATE_WRITES:
        write(hub)

    with django_assert_num_queries(queries):
        assert client.get(reverse(page, kwargs=kwargs)).status_code == 200


def test_the_directory_follows_a_public_change(client, hub):
    client.logout()
    before = client.get(reverse("projects:directory"), {"status": "under_review"})
    assert hub.submitted.reference not in before.content.decode()

    public_status_change(hub)

    after = client.get(reverse("projects:directory"), {"status": "under_review"})
    assert hub.submitted.reference in after.content.decode()


def test_the_statistics_follow_a_submission(client, hub):
    client.logout()
    url = reverse("stats-year", kwargs={"year": timezone.localdate().year})
    assert client.get(url).context["figures"]["submitted"] == 1

    submit(hub)

    assert client.get(url).context["figures"]["submitted"] == 2


def test_imports_of_nothing_new_keep_the_version(hub, demo_catalog):
    import_a_register(hub)
    before = data_version()

    import_a_register(hub)

    assert data_version() == before
