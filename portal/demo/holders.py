"""Demo data holders' accounts, and applications that ask for their bases in every
situation of a holder's queues: waiting for a decision, agreed (with conditions) and
delivered. Made through the same services as the portal, so their decisions have
their history and their events. Idempotent: an application already there is left
alone."""

from typing import Any

from django.db import transaction

from catalog import proposals
from catalog.models import Base, DataHolder, HolderMembership
from portal.demo.accounts import confirmed_account

# The demo applications are drafted and sent through the review as the sponsor demo's
# are (their CHU Exemple team); only the holders' steps are this module's.
from portal.demo.projects import _draft, _record_what_the_step_needs, demo_organisation
from projects import holders, services
from projects.clocks import hub_today
from projects.identifiers import siren_with_key
from projects.models import Decision, Project, Status

# (email, first name, last name, holder's acronym, role shown to the developer)
HOLDER_ACCOUNTS = [
    (
        "holder@aphp.example",
        "Anne",
        "Garnier",
        "AP-HP",
        "data holder, AP-HP (BNDMR)",
    ),
    (
        "holder@unicancer.example",
        "Thomas",
        "Lefèvre",
        "Unicancer",
        "data holder, Unicancer (ESME)",
    ),
]

UNTIL_APPROVED = [
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.AWAITING_AUTHORISATION,
    Status.APPROVED,
]

# Each application: its review steps, then each holder's decisions (base, decision,
# conditions or reason, delivered), then the steps after them.
HOLDER_APPLICATIONS: list[dict[str, Any]] = [
    {
        "title": "Délai diagnostique des maladies rares chez l'enfant",
        "summary": (
            "Mesure du délai entre les premiers symptômes et le diagnostic des enfants "
            "atteints d'une maladie rare, selon la filière et la région, pour réduire "
            "l'errance diagnostique."
        ),
        "themes": ["prevention"],
        "bases": ["bndmr"],
        "journey": [Status.SUBMITTED, Status.UNDER_REVIEW],
        "decisions": [],
        "after": [],
    },
    {
        "title": "Sarcomes et maladies rares : parcours des jeunes adultes",
        "summary": (
            "Description du parcours de soins des jeunes adultes atteints d'un sarcome suivis "
            "à la fois dans les centres de lutte contre le cancer et dans les centres experts "
            "maladies rares."
        ),
        "themes": ["prevention"],
        "programme": "unibase",
        "bases": ["bndmr", "esme"],
        "journey": UNTIL_APPROVED,
        "decisions": [
            (
                "bndmr",
                Decision.AGREED_WITH_CONDITIONS,
                "Données restituées sans les codes des centres ; relecture par la filière "
                "avant toute publication.",
                False,
            ),
            ("esme", Decision.AGREED, "", False),
        ],
        "after": [],
    },
    {
        "title": "Thérapies ciblées du cancer du sein métastatique en vie réelle",
        "summary": (
            "Efficacité et tolérance des thérapies ciblées chez les patientes atteintes d'un "
            "cancer du sein métastatique, y compris celles atteintes d'une maladie rare "
            "associée."
        ),
        "themes": ["ai"],
        "programme": "unibase",
        "bases": ["esme", "bndmr"],
        "journey": UNTIL_APPROVED,
        "decisions": [
            ("esme", Decision.AGREED, "", True),
            ("bndmr", Decision.AGREED, "", True),
        ],
        "after": [Status.IN_PROGRESS],
    },
]


def load_holder_accounts() -> dict[str, Any]:
    """The holders' demo accounts, each a member of its holder; existing ones are left
    as they are. Returns the accounts by email."""
    users = {}
    for email, first, last, acronym, _role in HOLDER_ACCOUNTS:
        user = confirmed_account(email, first_name=first, last_name=last)
        HolderMembership.objects.get_or_create(
            holder=DataHolder.objects.get(acronym=acronym), user=user
        )
        users[email] = user
    return users


@transaction.atomic
def load_holder_requests(*, owner, member, staff, reviewer) -> None:
    """The applications of the CHU Exemple team that ask for the demo holders' bases."""
    members_by_holder = {
        membership.holder_id: membership.user
        for membership in HolderMembership.objects.filter(
            user__email__in=[email for email, *_rest in HOLDER_ACCOUNTS]
        )
    }
    organisation = demo_organisation("CHU Exemple", identifier=siren_with_key("26750045"))
    for data in HOLDER_APPLICATIONS:
        if Project.objects.filter(title=data["title"], team__user=owner).exists():
            continue
        project = _draft(data, owner=owner, member=member, organisation=organisation)
        for to in data["journey"]:
            project = _step(project, to, owner=owner, staff=staff)
            if to == Status.SUBMITTED:
                services.project_assign(project=project, reviewer=reviewer, actor=staff)
        for slug, decision, note, delivered in data["decisions"]:
            requested = project.requested_bases.select_related("base").get(base__slug=slug)
            actor = members_by_holder[requested.base.data_holder_id]
            holders.requested_base_decide(
                requested=requested, actor=actor, decision=decision, note=note
            )
            if delivered:
                holders.requested_base_deliver(
                    requested=requested, actor=actor, delivered_on=hub_today()
                )
        for to in data["after"]:
            project = _step(project, to, owner=owner, staff=staff)


def load_holder_proposals() -> None:
    """A proposal of AP-HP waiting for the hub: BNDMR's coverage and documentation."""
    bndmr = Base.objects.get(slug="bndmr")
    if bndmr.proposals.exists():
        return
    proposals.proposal_create(
        base=bndmr,
        actor=HolderMembership.objects.get(user__email="holder@aphp.example").user,
        fields={
            "geography": "France entière, outre-mer compris",
            "documentation_url": "https://documentation.bndmr.example/",
        },
        milestones={},
    )


def _step(project: Project, to: str, *, owner, staff) -> Project:
    """One step of the review. The opinion and authorisation are recorded as the
    sponsor demo's are; the holders' decisions, already on record here, are not
    overwritten before the launch."""
    if to != Status.IN_PROGRESS:
        _record_what_the_step_needs(project, to, staff=staff)
    if to == Status.SUBMITTED:
        return services.project_submit(project=project, actor=owner)
    return services.project_transition(project=project, actor=staff, to=to)
