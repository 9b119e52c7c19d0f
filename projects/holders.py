"""Data holders on the portal: their members decide, base by base, on the requests for
their bases, and invite their colleagues.

Every decision, revision and delivery goes through `requested_base_decide` or
`requested_base_deliver`: the project's row is locked first, as a transition locks
it, so a decision and the launch it allows never cross; each is kept in
`HolderDecision` with its event in the audit trail, which the sponsor team reads and
is emailed. The hub's reviewers record a decision for a holder that has no account
through the same functions, and the trail names them. Reads are in
`projects.selectors`.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import DataHolder, HolderMembership
from projects import clocks, notifications
from projects.models import (
    AGREED,
    HOLDER_DECIDES,
    HOLDER_DELIVERS,
    Decision,
    Event,
    HolderDecision,
    HolderInvitation,
    Project,
    RequestedBase,
    Status,
)
from projects.services import (
    TEAM,
    TransitionError,
    emailed_invitation_accept,
    emailed_invitation_create,
    emailed_invitation_from_token,
    may_review,
)


class HolderError(TransitionError):
    """An act for a data holder that the rules, the actor or the request's state forbid."""


# The decisions a holder chooses between, and the event each one is logged as.
DECISION_ACTIONS: dict[str, str] = {
    Decision.AGREED: "holder_agreed",
    Decision.AGREED_WITH_CONDITIONS: "holder_agreed_with_conditions",
    Decision.REFUSED: "holder_refused",
}
DELIVERY_ACTION = "holder_delivered"


def is_holder_member(*, holder: DataHolder, user) -> bool:
    return user.is_authenticated and holder.memberships.filter(user=user).exists()


def may_manage_holders(user) -> bool:
    """Hub administrators (permission to invite people to a holder), in the admin."""
    return user.is_active and user.is_staff and user.has_perm("projects.add_holderinvitation")


def decision_open(requested: RequestedBase) -> bool:
    """Whether the holder may decide, or revise its decision, now."""
    return requested.project.status in HOLDER_DECIDES and requested.decision != Decision.DELIVERED


def delivery_open(requested: RequestedBase) -> bool:
    """Whether the holder may record (or correct) the delivery of the data now."""
    return requested.project.status in HOLDER_DELIVERS and (
        requested.decision in AGREED or requested.decision == Decision.DELIVERED
    )


def _acting_for(holder: DataHolder, actor) -> bool:
    """Whether the hub records this for the holder (True) or a member acts (False);
    anyone else is refused."""
    if is_holder_member(holder=holder, user=actor):
        return False
    if may_review(actor):
        return True
    raise HolderError(_("Only the data holder's members, or the hub's reviewers, can do this."))


def _lock(requested: RequestedBase) -> tuple[Project, RequestedBase]:
    """The project's row, then the request's, locked in that order (as a launch locks
    the project before it reads the decisions)."""
    project = Project.objects.select_for_update().get(pk=requested.project_id)
    locked = (
        RequestedBase.objects.select_for_update(of=("self",))
        .select_related("base__data_holder")
        .get(pk=requested.pk)
    )
    return project, locked


def _not_after_today(day: date, message) -> None:
    if day > clocks.hub_today():
        raise HolderError(message)


def requested_base_decide(
    *,
    requested: RequestedBase,
    actor,
    decision: str,
    note: str = "",
    decided_on: date | None = None,
) -> HolderDecision:
    """Records the holder's decision on a requested base, or revises it: agreed,
    agreed with conditions (the conditions required) or refused (the reason required).

    Allowed from the submission until the launch (`HOLDER_DECIDES`), never once the
    data is delivered. `decided_on` is today unless the hub records, later, a decision
    the holder took on an earlier day.
    """
    note = note.strip()
    if decision not in DECISION_ACTIONS:
        raise HolderError(_("Choose to agree, to agree with conditions, or to refuse."))
    if decision == Decision.AGREED_WITH_CONDITIONS and not note:
        raise HolderError(_("Write the conditions of the agreement."))
    if decision == Decision.REFUSED and not note:
        raise HolderError(_("Give the reason for the refusal: the sponsor team reads it."))
    decided_on = decided_on or clocks.hub_today()
    _not_after_today(decided_on, _("A decision cannot be dated in the future."))
    with transaction.atomic():
        project, locked = _lock(requested)
        by_the_hub = _acting_for(locked.base.data_holder, actor)
        _check_open(project, HOLDER_DECIDES)
        if locked.decision == Decision.DELIVERED:
            raise HolderError(_("The data is delivered: the decision no longer changes."))
        if (locked.decision, locked.decision_note, locked.decided_on) == (
            decision,
            note,
            decided_on,
        ):
            raise HolderError(_("This decision is already on record."))
        locked.decision = decision
        locked.decision_note = note
        locked.decided_on = decided_on
        locked.delivered_on = None
        locked.set_aside = False
        locked.save(
            update_fields=["decision", "decision_note", "decided_on", "delivered_on", "set_aside"]
        )
        return _record(
            project, locked, actor=actor, by_the_hub=by_the_hub, action=DECISION_ACTIONS[decision]
        )


def requested_base_deliver(
    *, requested: RequestedBase, actor, delivered_on: date
) -> HolderDecision:
    """Records the day the holder delivered the data of a base it agreed to provide
    (or corrects that day). Allowed until the project is completed (`HOLDER_DELIVERS`):
    data often reaches the project's space after its launch."""
    _not_after_today(delivered_on, _("The delivery date cannot be in the future."))
    with transaction.atomic():
        project, locked = _lock(requested)
        by_the_hub = _acting_for(locked.base.data_holder, actor)
        _check_open(project, HOLDER_DELIVERS)
        if locked.decision not in AGREED and locked.decision != Decision.DELIVERED:
            raise HolderError(_("Agree to provide the data before recording its delivery."))
        if locked.decided_on and delivered_on < locked.decided_on:
            raise HolderError(
                _("The data cannot be delivered before the agreement, of %(date)s.")
                % {"date": locked.decided_on.isoformat()}
            )
        if locked.decision == Decision.DELIVERED and locked.delivered_on == delivered_on:
            raise HolderError(_("This delivery is already on record."))
        locked.decision = Decision.DELIVERED
        locked.delivered_on = delivered_on
        locked.save(update_fields=["decision", "delivered_on"])
        return _record(project, locked, actor=actor, by_the_hub=by_the_hub, action=DELIVERY_ACTION)


def _check_open(project: Project, states: set) -> None:
    if project.is_data_request:
        raise HolderError(
            _("A data request has no decision of data holders: the hub produces its statistics.")
        )
    if project.status not in states:
        if project.status == Status.IN_PROGRESS:
            raise HolderError(_("The project is launched: the decision no longer changes."))
        raise HolderError(
            _("Nothing can be recorded for this base: the project is “%(state)s”.")
            % {"state": project.get_status_display()}
        )


def _record(
    project: Project, requested: RequestedBase, *, actor, by_the_hub: bool, action: str
) -> HolderDecision:
    """The history row and its event (the sponsor team and the staff see it), and the
    emails once committed."""
    acronym = requested.base.acronym
    event = Event.objects.create(
        project=project,
        actor=actor,
        action=action,
        reason=f"{acronym}\n{requested.decision_note}".strip(),
        visibility=TEAM,
    )
    decision = HolderDecision.objects.create(
        project=project,
        base=requested.base,
        requested=requested,
        decision=requested.decision,
        note=requested.decision_note,
        decided_on=requested.decided_on,
        delivered_on=requested.delivered_on,
        recorded_by=actor,
        by_the_hub=by_the_hub,
        event=event,
    )
    transaction.on_commit(lambda: notifications.notify_holder_decision.enqueue(decision.pk))
    return decision


def requested_base_set_aside(*, requested: RequestedBase, actor) -> Event:
    """The hub goes on without a base its holder refused: the launch no longer waits
    for it (`services.transition_blockers`). Only the hub's reviewers, before the
    launch; logged for the sponsor team and emailed to them. A new decision of the
    holder brings the base back."""
    if not may_review(actor):
        raise HolderError(_("Only the hub's reviewers can set a base aside."))
    with transaction.atomic():
        project, locked = _lock(requested)
        _check_open(project, HOLDER_DECIDES)
        if locked.decision != Decision.REFUSED:
            raise HolderError(_("Only a base its holder refused can be set aside."))
        if locked.set_aside:
            raise HolderError(_("This base is already set aside."))
        locked.set_aside = True
        locked.save(update_fields=["set_aside"])
        event = Event.objects.create(
            project=project,
            actor=actor,
            action="base_set_aside",
            reason=locked.base.acronym,
            visibility=TEAM,
        )
        transaction.on_commit(lambda: notifications.notify_event.enqueue(event.pk))
    return event


# Membership: by invitation from a member or a hub administrator (or added in the admin).

HOLDER_INVITATION_SALT = "projects.holder-invitation"


def holder_invite(*, holder: DataHolder, actor, email: str, request) -> HolderInvitation:
    """Emails a link to act for the holder; only its members and the hub's
    administrators may send one."""
    if not (is_holder_member(holder=holder, user=actor) or may_manage_holders(actor)):
        raise HolderError(_("Only the data holder's members can invite people."))
    email = email.strip().lower()
    if holder.memberships.filter(user__email__iexact=email).exists():
        raise HolderError(_("This person is already a member."))
    return emailed_invitation_create(
        HolderInvitation,
        to={"holder": holder},
        email=email,
        actor=actor,
        salt=HOLDER_INVITATION_SALT,
        url_name="holder:join",
        template="holder_invitation",
        request=request,
    )


def holder_invitation_from_token(token: str) -> HolderInvitation | None:
    return emailed_invitation_from_token(
        token,
        salt=HOLDER_INVITATION_SALT,
        invitations=HolderInvitation.objects.select_related("holder", "invited_by"),
    )


def holder_invitation_accept(*, invitation: HolderInvitation, user) -> None:
    """Makes the user a member of the holder (the link proves they read the mail)."""
    emailed_invitation_accept(
        invitation=invitation,
        user=user,
        join=lambda locked: HolderMembership.objects.get_or_create(holder=locked.holder, user=user),
        error=HolderError,
    )
