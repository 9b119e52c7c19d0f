"""Writes on projects. Every change of state goes through `project_transition`."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import clocks, notifications, processing, snapshots
from projects.identifiers import normalise as normalise_identifier
from projects.mail import email_enqueue
from projects.models import (
    DATA_GRANTED,
    FINAL,
    SPONSOR_EDITABLE,
    Attachment,
    Authorisation,
    DeadlineExtension,
    Delivery,
    EmailedInvitation,
    Event,
    Invitation,
    Message,
    Opinion,
    Organisation,
    OrganisationInvitation,
    Project,
    ProjectVersion,
    PublicVersion,
    ReferenceCounter,
    RejectionGround,
    RequestedBase,
    ReviewDeadlines,
    Status,
    TeamMember,
    ThreadRead,
)
from projects.uploads import name_for_type

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

S = Status


class TransitionError(Exception):
    """A transition that the rules, the actor's role or the current state forbid."""


class EditConflict(Exception):
    """Someone else saved the application since this editor loaded it."""


@dataclass(frozen=True)
class Rule:
    by: str  # "sponsor" or "staff"
    action: str
    visibility: str
    reason_required: bool = False
    # A rejection names the rule it rests on (`RejectionGround`), shown to the team.
    ground_required: bool = False
    # The sponsor answered the hub: the staff in charge are emailed, and the file is
    # "unread" for each staff member until they open it.
    staff_told: bool = False


SPONSOR, STAFF = "sponsor", "staff"
PUBLIC, TEAM, INTERNAL = (
    Event.Visibility.PUBLIC,
    Event.Visibility.SPONSOR,
    Event.Visibility.STAFF,
)

# Who may move a project from one state to another. Read it as a sentence:
# (from, to): the sponsor team / the staff may do it, logged as this action.
# The evidence some arrivals need is checked apart, in `transition_blockers`.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.DRAFT, S.SUBMITTED): Rule(SPONSOR, "submitted", PUBLIC),
    (S.CHANGES_REQUESTED, S.SUBMITTED): Rule(SPONSOR, "resubmitted", TEAM, staff_told=True),
    (S.SUBMITTED, S.UNDER_REVIEW): Rule(STAFF, "admissible", PUBLIC),
    (S.SUBMITTED, S.CHANGES_REQUESTED): Rule(STAFF, "changes_requested", TEAM, True),
    (S.UNDER_REVIEW, S.CHANGES_REQUESTED): Rule(STAFF, "changes_requested", TEAM, True),
    (S.UNDER_REVIEW, S.AWAITING_AUTHORISATION): Rule(STAFF, "opinion_given", PUBLIC),
    (S.UNDER_REVIEW, S.REJECTED): Rule(STAFF, "rejected", PUBLIC, True, ground_required=True),
    (S.AWAITING_AUTHORISATION, S.APPROVED): Rule(STAFF, "authorised", PUBLIC),
    (S.AWAITING_AUTHORISATION, S.REJECTED): Rule(
        STAFF, "rejected", PUBLIC, True, ground_required=True
    ),
    (S.APPROVED, S.IN_PROGRESS): Rule(STAFF, "launched", PUBLIC),
    (S.IN_PROGRESS, S.COMPLETED): Rule(STAFF, "completed", PUBLIC),
} | {
    (state, S.WITHDRAWN): Rule(SPONSOR, "withdrawn", PUBLIC, True)
    for state in S.values
    if state not in FINAL
}

# A data request (EHDS Art. 69) takes the same table without the authorisation's
# states: once the review finds it admissible and lawful, the hub accepts it and
# produces the statistics itself (no CESREES opinion, no CNIL authorisation, no data
# holder decides), and completes it once they are delivered (`transition_blockers`).
AUTHORISATION_STATES = {S.AWAITING_AUTHORISATION, S.APPROVED}
REQUEST_TRANSITIONS: dict[tuple[str, str], Rule] = {
    move: rule for move, rule in TRANSITIONS.items() if not AUTHORISATION_STATES & set(move)
} | {(S.UNDER_REVIEW, S.IN_PROGRESS): Rule(STAFF, "accepted", PUBLIC)}


def transitions_for(project: Project) -> dict[tuple[str, str], Rule]:
    """The transition table of the project's kind of application."""
    return REQUEST_TRANSITIONS if project.is_data_request else TRANSITIONS


# The key date each arrival sets, for the public directory and the statistics.
KEY_DATES: dict[str, str] = {
    S.AWAITING_AUTHORISATION: "opinion_on",
    S.APPROVED: "authorised_on",
    S.IN_PROGRESS: "launched_on",
    S.COMPLETED: "completed_on",
}


def is_team_member(*, project: Project, user) -> bool:
    return project.team.filter(user=user).exists()


def may_review(user) -> bool:
    """Staff in the `reviewers` or `hub administrators` group (or superusers)."""
    return user.is_staff and user.has_perm("projects.transition_project")


def allowed_transitions(*, project: Project, user) -> list[str]:
    """The states this user may move the project to now."""
    role = STAFF if may_review(user) else SPONSOR
    if role == SPONSOR and not is_team_member(project=project, user=user):
        return []
    return [
        to
        for (frm, to), rule in transitions_for(project).items()
        if frm == project.status and rule.by == role
    ]


def transition_blockers(*, project: Project, to: str, ground: str = "") -> list[str]:
    """What must be on record before the project moves to `to`, in words for staff;
    empty when nothing is missing. Evidence before decisions:

    - to await the authorisation, the CESREES opinion, unless the project declares a
      reference methodology (MR-001 to MR-008: no opinion, no CNIL decision needed);
    - to be approved, the authorisation: a CNIL decision numbered DR-YYYY-NNN with its
      date, or the reference methodology declared;
    - a rejection on the ground of an unfavourable opinion needs that opinion
      recorded, and a CNIL refusal can only come while the authorisation is awaited;
    - a launch needs every requested base agreed (with or without conditions) or
      delivered by its data holder, but for those it refused that the hub set aside
      to go on without them (not all of them);
    - a data request has no holder's decision to wait for, but is completed only once
      the hub has delivered its statistics (`Delivery`).

    The admin draws its transition forms from this; `project_transition` asks it
    again under the row lock, so nothing reaches these states without the evidence.
    """
    missing: list[str | StrPromise] = []
    if to == S.AWAITING_AUTHORISATION and not (
        project.opinion_on_record is not None or _declares_methodology(project)
    ):
        missing.append(
            _(
                "The CESREES opinion is not recorded: record it under “CESREES opinion” "
                "first. A project that follows a reference methodology (MR-001 to MR-008) "
                "needs no opinion: record the methodology under “Authorisation” instead."
            )
        )
    if to == S.APPROVED:
        authorisation = project.authorisation_on_record
        if authorisation is None:
            missing.append(
                _(
                    "The authorisation is not recorded: record the CNIL decision (its number "
                    "DR-YYYY-NNN and its date) or the reference methodology followed "
                    "(MR-001 to MR-008) under “Authorisation” first."
                )
            )
        else:
            missing += authorisation.problems()
    if to == S.COMPLETED and project.is_data_request and not project.deliveries.exists():
        missing.append(
            _(
                "No statistics are delivered yet: upload the file under “Deliver the "
                "statistics” first; the team is emailed when it is there."
            )
        )
    if to == S.IN_PROGRESS and not project.is_data_request:
        requested = list(project.requested_bases.select_related("base"))
        kept = [request for request in requested if not request.set_aside]
        waiting = [request.base.acronym for request in kept if request.decision not in DATA_GRANTED]
        if waiting:
            missing.append(
                _("Every data holder must agree first; still waiting for: %(bases)s.")
                % {"bases": ", ".join(waiting)}
            )
        if requested and not kept:
            missing.append(
                _("Every requested base was refused and set aside: there is no data to open.")
            )
    if project.is_data_request and ground in (
        RejectionGround.UNFAVOURABLE_OPINION,
        RejectionGround.CNIL_REFUSAL,
    ):
        missing.append(
            _(
                "A data request has neither a CESREES opinion nor a CNIL decision: "
                "choose another ground."
            )
        )
    elif to == S.REJECTED and ground == RejectionGround.UNFAVOURABLE_OPINION:
        opinion = project.opinion_on_record
        if opinion is None or opinion.verdict != Opinion.Verdict.UNFAVOURABLE:
            missing.append(
                _(
                    "A rejection on the ground of an unfavourable CESREES opinion needs that "
                    "opinion recorded, unfavourable, under “CESREES opinion” first."
                )
            )
    elif (
        to == S.REJECTED
        and ground == RejectionGround.CNIL_REFUSAL
        and project.status != S.AWAITING_AUTHORISATION
    ):
        missing.append(
            _("A CNIL refusal can only be recorded while the project awaits its authorisation.")
        )
    return [str(message) for message in missing]


def _declares_methodology(project: Project) -> bool:
    authorisation = project.authorisation_on_record
    return authorisation is not None and authorisation.kind == Authorisation.Kind.METHODOLOGY


def project_transition(
    *,
    project: Project,
    actor,
    to: str,
    reason: str = "",
    seen: str | None = None,
    ground: str = "",
) -> Project:
    """Moves the project to `to` if the rules, the actor and the evidence on record
    allow it, and logs it.

    `seen` is the state the actor's page showed. The row is locked first, so of
    two people acting at once exactly one transition happens; the other finds
    the state changed under them and gets a TransitionError saying so. `ground`
    is the rule a rejection rests on (`RejectionGround`), required for one and
    refused for any other move.
    """
    reason = reason.strip()
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if seen is not None and locked.status != seen:
            raise TransitionError(
                _("Someone else acted on this project meanwhile: it is now “%(state)s”.")
                % {"state": locked.get_status_display()}
            )
        rule = transitions_for(locked).get((locked.status, to))
        if rule is None:
            raise TransitionError(
                _("A project that is “%(state)s” cannot become “%(to)s”.")
                % {"state": locked.get_status_display(), "to": Status(to).label}
            )
        if rule.by == STAFF and not may_review(actor):
            raise TransitionError(_("Only the hub's reviewers can do this."))
        if rule.by == SPONSOR and not is_team_member(project=locked, user=actor):
            raise TransitionError(_("Only the project's team can do this."))
        if rule.reason_required and not reason:
            raise TransitionError(_("Please give a reason."))
        _check_ground(rule, ground)
        blockers = transition_blockers(project=locked, to=to, ground=ground)
        if blockers:
            raise TransitionError(" ".join(blockers))
        if to == S.SUBMITTED:
            _freeze_version(project=locked, actor=actor)
        from_status = locked.status
        locked.status = to
        locked.status_changed_at = timezone.now()
        update_fields = ["status", "status_changed_at", "updated_at"]
        if to in KEY_DATES:
            setattr(locked, KEY_DATES[to], timezone.localdate())
            update_fields.append(KEY_DATES[to])
        if to == S.SUBMITTED and not locked.reference:
            locked.reference = _next_reference()
            locked.submitted_on = timezone.localdate()
            update_fields += ["reference", "submitted_on"]
        if rule.staff_told:
            locked.sponsor_answered_at = locked.status_changed_at
            update_fields.append("sponsor_answered_at")
        locked.save(update_fields=update_fields)
        event = Event.objects.create(
            project=locked,
            actor=actor,
            from_status=from_status,
            to_status=to,
            action=rule.action,
            reason=reason,
            ground=ground,
            visibility=rule.visibility,
        )
        clock_store(project=locked)
        if locked.is_public:
            public_data_changed()
        transaction.on_commit(lambda: notifications.notify_event.enqueue(event.pk))
        if to == S.SUBMITTED and not locked.is_data_request:
            # A data request's bases are no data holder's to decide on.
            transaction.on_commit(
                lambda: notifications.notify_holders_of_requests.enqueue(locked.pk)
            )
        if rule.staff_told:
            transaction.on_commit(lambda: notifications.notify_staff_of_event.enqueue(event.pk))
    return locked


def _check_ground(rule: Rule, ground: str) -> None:
    if rule.ground_required and not ground:
        raise TransitionError(_("Choose the ground the rejection rests on."))
    if ground and not rule.ground_required:
        raise TransitionError(_("A ground is given only for a rejection."))
    if ground and ground not in RejectionGround.values:
        raise TransitionError(_("“%(ground)s” is not a ground for rejection.") % {"ground": ground})


def project_submit(*, project: Project, actor) -> Project:
    problems = snapshots.submission_problems(project)
    if problems:
        raise TransitionError(_("The application is not complete yet."))
    if not actor.emailaddress_set.filter(verified=True).exists():
        raise TransitionError(_("Please confirm your email address before submitting."))
    return project_transition(project=project, actor=actor, to=S.SUBMITTED)


def _freeze_version(*, project: Project, actor) -> ProjectVersion:
    number = project.versions.count() + 1
    return ProjectVersion.objects.create(
        project=project, number=number, content=snapshots.snapshot(project), submitted_by=actor
    )


def _next_reference() -> str:
    year = timezone.localdate().year
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"HDH-{year}-{counter.last:04d}"


def project_create(*, owner, project: Project | None = None) -> Project:
    """Saves a new draft (the form's unsaved instance, if given) with `owner` as its owner."""
    project = project or Project()
    with transaction.atomic():
        project.save()
        TeamMember.objects.create(project=project, user=owner, role=TeamMember.Role.OWNER)
        Event.objects.create(
            project=project,
            actor=owner,
            action="created",
            visibility=INTERNAL,
            to_status=S.DRAFT,
        )
    return project


# What a copy of an application keeps: its content, never its state, reference,
# history, files, team (but the person copying) or the holders' decisions.
COPIED_FIELDS = [
    # A copy is the same kind of application: a data request stays one.
    "kind",
    "statistics_wanted",
    "summary",
    "purpose",
    "methodology",
    "expected_results",
    "programme_id",
    "planned_start",
    "duration_months",
    "funding",
    "data_processor",
    "data_users",
    "environment",
    "environment_name",
    "planned_outputs",
    "legal_route",
]
# Not the declarations (of conformity, and those the sponsor accepts): each
# application makes its own.


def project_duplicate(*, project: Project, actor) -> Project:
    """A new draft with the content of `project`, owned by `actor`, a member of its
    team: to apply again after a rejection, or for a similar study. The sponsor is kept
    only if `actor` belongs to it; the bases are asked for again, undecided."""
    if not is_team_member(project=project, user=actor):
        raise TransitionError(_("Only the project's team can copy it."))
    copy = Project(**{name: getattr(project, name) for name in COPIED_FIELDS})
    if project.title:
        copy.title = str(_("Copy of %(title)s") % {"title": project.title})[:300]
    sponsor = project.sponsor_id
    if sponsor is not None and Organisation.objects.filter(pk=sponsor, members=actor).exists():
        copy.sponsor_id = sponsor
    with transaction.atomic():
        copy = project_create(owner=actor, project=copy)
        copy.themes.set(project.themes.all())
        RequestedBase.objects.bulk_create(
            RequestedBase(
                project=copy,
                base_id=request.base_id,
                justification=request.justification,
                period_start=request.period_start,
                period_end=request.period_end,
            )
            for request in project.requested_bases.all()
        )
    return copy


def project_check_editable(*, project: Project) -> None:
    if project.status not in SPONSOR_EDITABLE:
        raise TransitionError(_("This application can no longer be edited."))


def project_save_content(*, project: Project, expected_version: int, save) -> Project:
    """Runs `save` (which writes the form's content) only if nobody saved in between.

    The version check and the increment happen under a row lock, so of two
    editors who loaded the same version, exactly one saves.
    """
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        project_check_editable(project=locked)
        if locked.edit_version != expected_version:
            raise EditConflict
        save()
        Project.objects.filter(pk=project.pk).update(edit_version=expected_version + 1)
        if locked.is_public:
            # Sent back for changes: what the team writes shows in the directory.
            public_data_changed()
    project.edit_version = expected_version + 1
    return project


def message_post(*, project: Project, author, body: str) -> Message:
    """Adds to the thread between the team and the hub. The hub's messages are emailed
    to the team; the team's are emailed to the staff in charge
    (`notifications.staff_to_notify`) and make the file unread for every staff member
    until they open it."""
    with transaction.atomic():
        message = Message.objects.create(
            project=project, author=author, body=body.strip(), from_staff=author.is_staff
        )
        if message.from_staff:
            transaction.on_commit(lambda: notifications.notify_message.enqueue(message.pk))
        elif Project.objects.public().filter(pk=project.pk).exists():
            # Only once submitted: a draft is the team's alone, the hub never reads it.
            Project.objects.filter(pk=project.pk).update(sponsor_answered_at=message.sent_at)
            transaction.on_commit(lambda: notifications.notify_staff_of_message.enqueue(message.pk))
    return message


def thread_mark_read(*, project: Project, reader) -> ThreadRead | None:
    """Records that a staff member opened the file (its change page, with the thread):
    it is no longer unread for them. Not for others: each has their own marker."""
    if not reader.is_staff:
        return None
    read, _created = ThreadRead.objects.update_or_create(
        project=project, reader=reader, defaults={"read_at": timezone.now()}
    )
    return read


def project_assign(*, project: Project, reviewer, actor) -> Project:
    """Puts a staff member in charge of the review; logged for staff only."""
    if not may_review(actor) or (reviewer is not None and not reviewer.is_staff):
        raise TransitionError(_("Only the hub's staff can review projects."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        locked.reviewer = reviewer
        locked.save(update_fields=["reviewer", "updated_at"])
        Event.objects.create(
            project=locked,
            actor=actor,
            action="assigned",
            reason=str(reviewer) if reviewer else "",
            visibility=INTERNAL,
        )
    return locked


def is_owner(*, project: Project, user) -> bool:
    return project.team.filter(user=user, role=TeamMember.Role.OWNER).exists()


def attachments_add(*, project: Project, actor, uploads) -> list[Attachment]:
    """Stores checked files privately (never under a public URL) on the project."""
    if uploads:
        project_check_editable(project=project)
    return [
        Attachment.objects.create(
            project=project,
            kind=kind,
            file=upload,
            original_name=name_for_type(upload.name, content_type),
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        for kind, upload, content_type in uploads
    ]


def attachment_read(*, attachment: Attachment, reader) -> Event | None:
    """Records in the project's audit trail (staff only) that someone outside the
    team, that is the hub's staff, read the file: who, when, which file. The team's
    own reads are not recorded: the file is theirs."""
    if is_team_member(project=attachment.project, user=reader):
        return None
    return Event.objects.create(
        project=attachment.project,
        actor=reader,
        action="attachment_read",
        reason=f"{attachment.original_name} (#{attachment.pk})",
        visibility=INTERNAL,
    )


def attachment_delete(*, attachment: Attachment, actor) -> None:
    project_check_editable(project=attachment.project)
    attachment.file.delete(save=False)
    attachment.delete()


def statistics_deliver(
    *, project: Project, actor, upload, content_type: str, note: str
) -> Delivery:
    """Stores the statistics the hub produced for a data request in progress, checked
    by the caller (`uploads.validate_statistics` gives `content_type`), under a random
    name; logs it for the team and emails them. Never public: only the team and the
    hub's reviewers download it. Completing the request is the reviewer's next move."""
    if not may_review(actor):
        raise TransitionError(_("Only the hub's reviewers can deliver statistics."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if not locked.is_data_request:
            raise TransitionError(_("Only a data request receives statistics from the hub."))
        if locked.status != S.IN_PROGRESS:
            raise TransitionError(
                _("Statistics are delivered while the request is in progress; it is “%(state)s”.")
                % {"state": locked.get_status_display()}
            )
        delivery = Delivery(
            project=locked,
            original_name=name_for_type(upload.name, content_type),
            content_type=content_type,
            size=upload.size,
            note=note.strip(),
            delivered_by=actor,
        )
        delivery.file = upload
        delivery.save()
        Event.objects.create(
            project=locked,
            actor=actor,
            action="statistics_delivered",
            reason=delivery.original_name,
            visibility=TEAM,
        )
        transaction.on_commit(lambda: notifications.notify_delivery.enqueue(delivery.pk))
    return delivery


INVITATION_SALT = "projects.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def invitation_send(*, project: Project, actor, email: str, request) -> Invitation:
    """Emails a link that lets the person join the team, creating their account if needed."""
    if not is_owner(project=project, user=actor):
        raise TransitionError(_("Only the project's owner can invite people."))
    email = email.strip().lower()
    if project.team.filter(user__email__iexact=email).exists():
        raise TransitionError(_("This person is already on the team."))
    return emailed_invitation_create(
        Invitation,
        to={"project": project},
        email=email,
        actor=actor,
        salt=INVITATION_SALT,
        url_name="my:invitation",
        template="invitation",
        request=request,
    )


# Emailed invitations (to a project's team, a sponsor organisation, a data holder): a
# signed link, valid INVITATION_MAX_AGE, that proves the address when it is opened.


def emailed_invitation_create[I: EmailedInvitation](
    model: type[I],
    *,
    to: dict,
    email: str,
    actor,
    salt: str,
    url_name: str,
    template: str,
    request,
) -> I:
    """Records an invitation of `model` to `to` (its team, organisation or holder,
    by field name), and emails it: rendered now, in the inviter's language, with
    its signed link to `url_name`, and queued once the invitation is committed.
    `emails/<template>_subject.txt` and `_body.txt` read `to`, `inviter` and `url`."""
    invitation = model._default_manager.create(email=email, invited_by=actor, **to)
    token = signing.dumps(invitation.pk, salt=salt)
    url = request.build_absolute_uri(reverse(url_name, kwargs={"token": token}))
    context = {**to, "inviter": actor, "url": url}
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"emails/{template}_body.txt", context)
    transaction.on_commit(lambda: email_enqueue(subject=subject, body=body, to=[email]))
    return invitation


def emailed_invitation_from_token[I: EmailedInvitation](
    token: str, *, salt: str, invitations: QuerySet[I]
) -> I | None:
    """The invitation the link names, unless the link is forged, expired or used."""
    try:
        pk = signing.loads(token, salt=salt, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return invitations.filter(pk=pk, accepted_at=None).first()


def emailed_invitation_accept[I: EmailedInvitation](
    *, invitation: I, user, join: Callable[[I], object], error: type[Exception]
) -> None:
    """Runs `join` on the invitation, locked, and marks it used: once only, and only
    for the person signed in with the invited address (the link proves they read its
    mail). Refusals raise `error`."""
    if user.email.lower() != invitation.email.lower():
        raise error(
            _("This invitation was sent to %(email)s: sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    with transaction.atomic():
        locked = type(invitation)._default_manager.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise error(_("This invitation was already used."))
        join(locked)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])


def invitation_from_token(token: str) -> Invitation | None:
    return emailed_invitation_from_token(
        token, salt=INVITATION_SALT, invitations=Invitation.objects.select_related("project")
    )


def invitation_accept(*, invitation: Invitation, user) -> TeamMember:
    """Adds the user to the team. The emailed link proves they own the address."""
    if user.email.lower() != invitation.email.lower():
        raise TransitionError(
            _("This invitation was sent to %(email)s: sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    with transaction.atomic():
        member, _created = TeamMember.objects.get_or_create(
            project=invitation.project, user=user, defaults={"role": TeamMember.Role.MEMBER}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        EmailAddress.objects.update_or_create(
            user=user,
            email__iexact=user.email,
            defaults={"email": user.email, "verified": True, "primary": True},
        )
    return member


def invitation_accept_with_new_account(*, invitation: Invitation, password: str):
    """Creates the invitee's account; the form they sent has them accept the terms."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            email=invitation.email, password=password, terms_accepted_at=timezone.now()
        )
        invitation_accept(invitation=invitation, user=user)
    return user


class OrganisationError(Exception):
    """Registering, joining or verifying an organisation that the rules do not allow."""


def organisation_create(
    *, name: str, identifier_kind: str, identifier: str, creator
) -> Organisation:
    """Registers a new sponsor organisation, "not yet verified", with its creator as
    first member. An organisation already registered, by name or by identifier, is
    never joined this way: a member invites, or the hub adds people."""
    name = " ".join(name.split())
    identifier = normalise_identifier(identifier_kind, identifier)
    if Organisation.objects.filter(name__iexact=name).exists():
        raise OrganisationError(
            _(
                "%(name)s is already registered on the portal. Ask one of its members to "
                "invite you, or write to the hub."
            )
            % {"name": name}
        )
    if Organisation.objects.filter(identifier_kind=identifier_kind, identifier=identifier):
        raise OrganisationError(
            _(
                "An organisation with this identifier is already registered. Ask one of "
                "its members to invite you, or write to the hub."
            )
        )
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name, identifier_kind=identifier_kind, identifier=identifier, created_by=creator
        )
        organisation.members.add(creator)
    return organisation


def may_verify_organisations(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("projects.verify_organisation")


def organisation_verify(*, organisation: Organisation, actor) -> Organisation:
    """Marks the organisation verified once a hub administrator has checked its
    identifier against the official register; the key is checked again here."""
    if not may_verify_organisations(actor):
        raise OrganisationError(_("Only the hub's administrators can verify organisations."))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        try:
            normalise_identifier(locked.identifier_kind, locked.identifier)
        except ValidationError as error:
            raise OrganisationError(
                _("%(name)s has no valid identifier to verify: %(problem)s")
                % {"name": locked.name, "problem": " ".join(error.messages)}
            ) from None
        if locked.verified_at is None:
            locked.verified_at = timezone.now()
            locked.verified_by = actor
            locked.save(update_fields=["verified_at", "verified_by"])
            organisation_projects_changed(organisation=locked)
    return locked


def organisation_projects_changed(*, organisation: Organisation) -> bool:
    """After a rename or a verification: moves the public data version on if the
    organisation sponsors a project the public sees; says whether it did.

    The public directory shows and searches each project with its sponsor's name and
    verified badge, and caches its pages and counts under that version. Moving it on
    is what makes a search for the old name stop finding them, and the badge go, at
    once rather than when the cache expires. (Their search vectors already follow a
    rename by a database trigger.) An organisation with drafts only changes nothing
    the public sees.
    """
    if not Project.objects.public().filter(sponsor=organisation).exists():
        return False
    public_data_changed()
    return True


def public_data_changed() -> None:
    """Moves the public data version on (`PublicVersion`): every cached public page
    and count is recomputed at its next request.

    Call it inside the transaction of the change, so that the version and the data
    commit together, and last in it: the row stays locked until the commit, so a
    long transaction that bumped it early would hold up every other public change.
    """
    moved = PublicVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    )
    if not moved:  # the row is made by a migration; a flushed test database has none
        PublicVersion.objects.get_or_create(pk=1, defaults={"number": 1})


ORGANISATION_INVITATION_SALT = "projects.organisation-invitation"


def organisation_invite(
    *, organisation: Organisation, actor, email: str, request
) -> OrganisationInvitation:
    """Emails a link to join the organisation; only its members may send one."""
    if not organisation.members.filter(pk=actor.pk).exists():
        raise OrganisationError(_("Only the organisation's members can invite people."))
    email = email.strip().lower()
    if organisation.members.filter(email__iexact=email).exists():
        raise OrganisationError(_("This person is already a member."))
    return emailed_invitation_create(
        OrganisationInvitation,
        to={"organisation": organisation},
        email=email,
        actor=actor,
        salt=ORGANISATION_INVITATION_SALT,
        url_name="organisations:join",
        template="organisation_invitation",
        request=request,
    )


def organisation_invitation_from_token(token: str) -> OrganisationInvitation | None:
    return emailed_invitation_from_token(
        token,
        salt=ORGANISATION_INVITATION_SALT,
        invitations=OrganisationInvitation.objects.select_related("organisation"),
    )


def organisation_invitation_accept(*, invitation: OrganisationInvitation, user) -> None:
    """Makes the user a member. The link proves they read the invited address's mail."""
    emailed_invitation_accept(
        invitation=invitation,
        user=user,
        join=lambda locked: locked.organisation.members.add(user),
        error=OrganisationError,
    )


# The review's clocks (rules in `projects.clocks`).

CLOCK_FIELDS = ["stage_due_on", "decision_due_on", "clock_paused_on"]


def _clock_values(clock: clocks.Clock) -> dict[str, date | None]:
    return {
        "stage_due_on": clock.stage_due_on,
        "decision_due_on": clock.decision_due_on,
        "clock_paused_on": clock.paused_since,
    }


def clock_store(*, project: Project) -> clocks.Clock:
    """Recomputes the project's clock from its audit trail and stores its due dates.

    Every service that changes what the clock depends on (a transition, an
    extension, an import) calls it in its own transaction, after writing its
    event, so the stored dates never lag behind the trail.
    """
    clock = project.review_clock()
    for name, value in _clock_values(clock).items():
        setattr(project, name, value)
    project.save(update_fields=CLOCK_FIELDS)
    processing.store_measures(
        [project.pk], data_requests={project.pk} if project.is_data_request else set()
    )
    return clock


def clocks_refresh(*, projects: QuerySet[Project] | None = None) -> int:
    """Recomputes and stores the clocks of many projects in a few queries: every file
    that may have one (`clocks.OPEN`) unless `projects` is given. For a change of the
    hub's deadlines, and for loaders that write events directly."""
    if projects is None:
        projects = Project.objects.filter(status__in=clocks.OPEN)
    rows = list(projects.only("pk", *CLOCK_FIELDS))
    ids = [project.pk for project in rows]
    changes: dict[int, list[clocks.Change]] = defaultdict(list)
    for project_id, at, to_status in (
        Event.objects.filter(project_id__in=ids)
        .exclude(to_status="")
        .order_by("at", "pk")
        .values_list("project_id", "at", "to_status")
    ):
        changes[project_id].append(clocks.Change(at=at, to_status=to_status))
    extensions: dict[int, dict[str, int]] = defaultdict(dict)
    for project_id, clock_name, months in DeadlineExtension.objects.filter(
        project_id__in=ids
    ).values_list("project_id", "clock", "months"):
        extensions[project_id][clock_name] = months
    rules, today, tz = ReviewDeadlines.load().rules(), clocks.hub_today(), clocks.hub_timezone()
    changed = []
    for project in rows:
        clock = clocks.compute(
            changes[project.pk],
            deadlines=rules,
            extensions=extensions[project.pk],
            today=today,
            tz=tz,
        )
        values = _clock_values(clock)
        if any(getattr(project, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(project, name, value)
            changed.append(project)
    Project.objects.bulk_update(changed, CLOCK_FIELDS, batch_size=500)
    processing.store_measures(ids)
    return len(changed)


def may_set_deadlines(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("projects.change_reviewdeadlines")


def review_deadlines_save(*, deadlines: ReviewDeadlines, actor) -> int:
    """Saves the hub's deadlines and recomputes the due dates of every open file,
    in one transaction; returns how many files' dates moved."""
    if not may_set_deadlines(actor):
        raise TransitionError(_("Only the hub's administrators can change the deadlines."))
    with transaction.atomic():
        deadlines.pk = 1
        deadlines.save()
        moved = clocks_refresh()
        # Whether past stages kept to the deadlines, for the processing times.
        processing.store_measures()
        return moved


EXTENSION_ACTIONS = {
    DeadlineExtension.Clock.AUTHORISATION: "authorisation_deadline_extended",
    DeadlineExtension.Clock.DECISION: "decision_deadline_extended",
}


def deadline_extend(*, project: Project, actor, clock: str, reason: str) -> DeadlineExtension:
    """Extends the authorisation or the overall decision deadline of the file, once.

    Only the hub's reviewers and administrators may; the reason is required, logged
    with the extension in the audit trail for the sponsor team to read, and emailed
    to them. The months added are the hub's setting of the day.
    """
    reason = reason.strip()
    if not may_review(actor):
        raise TransitionError(_("Only the hub's reviewers can extend a deadline."))
    if clock not in DeadlineExtension.Clock.values:
        raise TransitionError(_("There is no such deadline to extend."))
    if not reason:
        raise TransitionError(_("Please give a reason: it is sent to the sponsor team."))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        current = locked.review_clock()
        if clock == DeadlineExtension.Clock.AUTHORISATION and current.stage != (
            clocks.Stage.AUTHORISATION
        ):
            raise TransitionError(
                _("The authorisation deadline runs only while the project awaits it.")
            )
        if clock == DeadlineExtension.Clock.DECISION and not current.decision_running:
            raise TransitionError(
                _("The decision deadline runs only from the first submission to the decision.")
            )
        if locked.extensions.filter(clock=clock).exists():
            raise TransitionError(_("This deadline was already extended: it can be only once."))
        settings = ReviewDeadlines.load()
        months = (
            settings.authorisation_extension_months
            if clock == DeadlineExtension.Clock.AUTHORISATION
            else settings.decision_extension_months
        )
        event = Event.objects.create(
            project=locked,
            actor=actor,
            action=EXTENSION_ACTIONS[DeadlineExtension.Clock(clock)],
            reason=reason,
            visibility=TEAM,
        )
        extension = DeadlineExtension.objects.create(
            project=locked, clock=clock, months=months, reason=reason, granted_by=actor, event=event
        )
        clock_store(project=locked)
        # The published processing times count a stage within its deadline, extended.
        public_data_changed()
        transaction.on_commit(lambda: notifications.notify_event.enqueue(event.pk))
    return extension
