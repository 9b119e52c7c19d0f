"""Updates of the catalog proposed by the data holders: a member of a base's holder
proposes new values for its entry and its milestone dates; a hub administrator
publishes them (or declines them, with a reason). Nothing reaches the public catalog
before it is published, and every proposal is kept with who and when
(`BaseProposal`)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    PROPOSABLE_FIELDS,
    Base,
    BaseProposal,
    HolderMembership,
    Milestone,
    proposable_field,
)


class ProposalError(Exception):
    """A proposal, publication or refusal that the rules or the actor's role forbid."""


def may_propose(*, base: Base, user) -> bool:
    return HolderMembership.objects.filter(holder_id=base.data_holder_id, user=user).exists()


def may_publish(user) -> bool:
    """Hub administrators: those who may change the catalog's bases."""
    return user.is_active and user.is_staff and user.has_perm("catalog.change_base")


def _stored(value):
    return value.isoformat() if isinstance(value, date) else value


def base_values(base: Base) -> dict:
    """The base's proposable values and milestone dates, as a proposal stores them."""
    reached = dict(base.milestones.values_list("kind", "reached_on"))
    return {
        "fields": {name: _stored(getattr(base, name)) for name in PROPOSABLE_FIELDS},
        "milestones": {kind: _stored(reached.get(kind)) for kind in Milestone.Kind.values},
    }


def proposal_create(*, base: Base, actor, fields: dict, milestones: dict) -> BaseProposal:
    """Records what differs from the base's current entry as a proposal waiting for
    the hub. A proposal still waiting for this base is replaced (and kept, marked so):
    the hub reviews the latest only."""
    if not may_propose(base=base, user=actor):
        raise ProposalError(_("Only the members of the base's data holder can propose changes."))
    with transaction.atomic():
        locked = Base.objects.select_for_update().get(pk=base.pk)
        current = base_values(locked)
        proposed = {
            "fields": {
                name: _stored(value)
                for name, value in fields.items()
                if name in PROPOSABLE_FIELDS and _stored(value) != current["fields"][name]
            },
            "milestones": {
                kind: _stored(day)
                for kind, day in milestones.items()
                if kind in current["milestones"] and _stored(day) != current["milestones"][kind]
            },
        }
        if not proposed["fields"] and not proposed["milestones"]:
            raise ProposalError(_("Nothing differs from the catalog: there is nothing to propose."))
        locked.proposals.filter(state=BaseProposal.State.PROPOSED).update(
            state=BaseProposal.State.SUPERSEDED
        )
        return BaseProposal.objects.create(
            base=locked,
            changes=proposed,
            previous=_restricted(current, proposed),
            proposed_by=actor,
        )


def _restricted(values: dict, to: dict) -> dict:
    """`values` for the fields and milestones named in `to` only."""
    return {part: {key: values[part][key] for key in to[part]} for part in ("fields", "milestones")}


def _locked_waiting(proposal: BaseProposal, actor) -> BaseProposal:
    if not may_publish(actor):
        raise ProposalError(_("Only the hub's administrators can publish or decline a proposal."))
    locked = BaseProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != BaseProposal.State.PROPOSED:
        raise ProposalError(
            _("This proposal is no longer waiting: it is “%(state)s”.")
            % {"state": locked.get_state_display()}
        )
    return locked


def proposal_publish(*, proposal: BaseProposal, actor) -> BaseProposal:
    """Applies the proposal to the base and its milestones, checked as the admin's form
    checks a base; keeps the values it replaces, and who published it, when."""
    with transaction.atomic():
        locked = _locked_waiting(proposal, actor)
        base = Base.objects.select_for_update().get(pk=locked.base_id)
        before = _restricted(base_values(base), locked.changes)
        for name, value in locked.changes["fields"].items():
            setattr(base, name, proposable_field(name).to_python(value))
        try:
            base.full_clean()
        except ValidationError as error:
            raise ProposalError(" ".join(error.messages)) from None
        base.save()
        for kind, day in locked.changes["milestones"].items():
            if day is None:
                base.milestones.filter(kind=kind).delete()
            else:
                Milestone.objects.update_or_create(
                    base=base, kind=kind, defaults={"reached_on": date.fromisoformat(day)}
                )
        locked.state = BaseProposal.State.PUBLISHED
        locked.previous = before
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["state", "previous", "decided_by", "decided_at"])
    return locked


def proposal_decline(*, proposal: BaseProposal, actor, reason: str) -> BaseProposal:
    reason = reason.strip()
    if not reason:
        raise ProposalError(_("Give the reason for declining: the holder's members read it."))
    with transaction.atomic():
        locked = _locked_waiting(proposal, actor)
        locked.state = BaseProposal.State.DECLINED
        locked.decision_note = reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
    return locked
