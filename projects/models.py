"""Projects: applications to use catalog data, their versions, team, files and history."""

import re
from datetime import date
from typing import TYPE_CHECKING
from uuid import uuid4

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.models import Base, DataHolder
from projects import clocks, identifiers
from projects.uploads import EXTENSIONS, name_for_type

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Organisation(models.Model):
    """A sponsor organisation: the controller of the processing (responsable de traitement).

    Anyone may register one, so the public directory names it as sponsor only with
    "not yet verified" beside it until a hub administrator has checked its
    identifier. It is joined only by invitation from a member, or by the hub.
    """

    class IdentifierKind(models.TextChoices):
        SIREN = "siren", _("SIREN (company, association or public body)")
        FINESS = "finess", _("FINESS (health or social care establishment)")
        RNSR = "rnsr", _("RNSR (research unit)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    identifier_kind = models.CharField(
        _("identifier type"), max_length=10, choices=IdentifierKind, blank=True
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=14,
        blank=True,
        help_text=_("The organisation's SIREN, FINESS or RNSR number, checked by its key."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="organisations",
        blank=True,
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("registered by"),
    )
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("sponsor organisation")
        verbose_name_plural = _("sponsor organisations")
        permissions = [("verify_organisation", _("Can verify a sponsor organisation"))]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_kind", "identifier"],
                condition=~Q(identifier=""),
                name="organisation_identifier_unique",
                violation_error_message=_("An organisation with this identifier is registered."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def clean(self) -> None:
        if self.identifier or self.identifier_kind:
            from projects.identifiers import normalise

            try:
                self.identifier = normalise(self.identifier_kind, self.identifier)
            except ValidationError as error:
                raise ValidationError({"identifier": error}) from None


class EmailedInvitation(models.Model):
    """An invitation sent to an email address; opening its link proves the address."""

    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class OrganisationInvitation(EmailedInvitation):
    """An invitation to join a sponsor organisation, sent by one of its members."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(EmailedInvitation.Meta):
        verbose_name = _("invitation to an organisation")
        verbose_name_plural = _("invitations to an organisation")


class HolderInvitation(EmailedInvitation):
    """An invitation to act for a data holder, sent by one of its members or by a hub
    administrator."""

    holder = models.ForeignKey(
        DataHolder,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("data holder"),
    )

    class Meta(EmailedInvitation.Meta):
        verbose_name = _("invitation to a data holder")
        verbose_name_plural = _("invitations to a data holder")


def in_reader_language(french: str, english: str) -> str:
    """A name the hub stores in both languages, in the active one: the English name
    for an English reader when it is given, the French name otherwise."""
    if english and (get_language() or "").startswith("en"):
        return english
    return french


class NamedInBothLanguages(models.Model):
    """A name the hub writes in French, and in English for English readers."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(
        _("name in English"),
        max_length=120,
        blank=True,
        help_text=_("Shown on the English pages; the French name is shown when it is empty."),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self.name, self.name_en)


class Theme(NamedInBothLanguages):
    class Meta(NamedInBothLanguages.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Programme(NamedInBothLanguages):
    class Meta(NamedInBothLanguages.Meta):
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    UNDER_REVIEW = "under_review", _("Under review")
    AWAITING_AUTHORISATION = "awaiting_authorisation", _("Awaiting authorisation")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What the sponsor team can expect next, shown on their list of projects.
NEXT_STEPS: dict[str, "StrPromise"] = {
    Status.DRAFT: _("Complete your application and submit it."),
    Status.SUBMITTED: _("The hub checks that your application is complete and admissible."),
    Status.CHANGES_REQUESTED: _("Answer the hub's questions, then resubmit."),
    Status.UNDER_REVIEW: _("Scientific and ethical review (CESREES) in progress."),
    Status.AWAITING_AUTHORISATION: _("Waiting for the authorisation (CNIL)."),
    Status.APPROVED: _("Contracts with the data holders and data preparation."),
    Status.IN_PROGRESS: _("Work on the data in your secure project space."),
    Status.COMPLETED: _("Nothing more: the project is completed."),
    Status.REJECTED: _("Nothing more: the application was rejected."),
    Status.WITHDRAWN: _("Nothing more: the project was withdrawn."),
}
# A data request's own path (EHDS Art. 69): the hub produces the statistics itself.
REQUEST_NEXT_STEPS: dict[str, "StrPromise"] = {
    Status.UNDER_REVIEW: _("The hub checks that it can answer your request lawfully."),
    Status.IN_PROGRESS: _("The hub prepares your statistics and will deliver them as a file."),
    Status.COMPLETED: _("Nothing more: your statistics are delivered."),
}

# The hub's stages that have a deadline of their own (`projects.clocks`).
STAGE_LABELS: dict[str, "StrPromise"] = {
    clocks.Stage.ADMISSIBILITY: _("admissibility check"),
    clocks.Stage.OPINION: _("CESREES opinion"),
    clocks.Stage.AUTHORISATION: _("authorisation"),
}
# What the processing times measure (`projects.processing`): each stage, then the
# overall decision.
MEASURED_LABELS: dict[str, "StrPromise"] = {
    **STAGE_LABELS,
    clocks.DECISION: _("overall decision"),
}

# The years a filter or an address may name; others are an error, never a query.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# States in which the sponsor team may still change the application's content.
SPONSOR_EDITABLE = {Status.DRAFT, Status.CHANGES_REQUESTED}
# States that end a project's life: nothing moves out of them.
FINAL = {Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN}
# States a project reaches only once authorised.
AUTHORISED = {Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED}
# From submission to launch: the states in which a reviewer looks after the file.
IN_REVIEW = {
    Status.SUBMITTED,
    Status.CHANGES_REQUESTED,
    Status.UNDER_REVIEW,
    Status.AWAITING_AUTHORISATION,
    Status.APPROVED,
}


# The condition of `ProjectQuerySet.public`, for queries that count beside it.
PUBLIC_PROJECT = ~Q(status=Status.DRAFT) & ~Q(reference="")


class ProjectQuerySet(models.QuerySet):
    def for_member(self, user) -> "ProjectQuerySet":
        """Projects whose team the user belongs to, staff or not: being staff opens
        nothing here (see `selectors.projects_readable_by` for the hub's reviewers)."""
        return self.filter(team__user=user)

    def public(self) -> "ProjectQuerySet":
        """Every project submitted at least once: what the law makes public. Never a
        draft, nor a draft withdrawn before it was ever submitted (no reference)."""
        return self.filter(PUBLIC_PROJECT)

    def with_next_due(self) -> "ProjectQuerySet":
        """Annotates `next_due_on`: the nearer of the stored stage and decision due
        dates (None when no clock runs), for sorting."""
        return self.annotate(next_due_on=NEXT_DUE)

    def due_by(self, day) -> "ProjectQuerySet":
        """Files whose hub must answer on or before `day` (overdue ones included).
        Paused files have no due date stored, so they are never in it."""
        return self.filter(Q(stage_due_on__lte=day) | Q(decision_due_on__lte=day))

    def overdue(self, today) -> "ProjectQuerySet":
        return self.filter(Q(stage_due_on__lt=today) | Q(decision_due_on__lt=today))


# The nearer of the two stored due dates, whichever is set (LEAST ignores NULLs on
# PostgreSQL but not on SQLite: each side falls back on the other).
NEXT_DUE = Least(
    Coalesce("stage_due_on", "decision_due_on"), Coalesce("decision_due_on", "stage_due_on")
)


class Project(models.Model):
    class Kind(models.TextChoices):
        # EHDS Art. 67: access to the data themselves, in a secure processing environment.
        ACCESS = "access", _("Data access application")
        # EHDS Art. 69: anonymised statistics only, produced by the hub and delivered
        # as a file; no data holder decides on it, nobody accesses the data.
        REQUEST = "request", _("Data request")

    class Environment(models.TextChoices):
        HUB = "hub", _("The hub's secure platform")
        OTHER = "other", _("Another secure processing environment")

    class LegalRoute(models.TextChoices):
        CNIL = "cnil", _("CNIL authorisation")
        MR001 = "MR-001", _("Reference methodology MR-001")
        MR002 = "MR-002", _("Reference methodology MR-002")
        MR003 = "MR-003", _("Reference methodology MR-003")
        MR004 = "MR-004", _("Reference methodology MR-004")
        MR005 = "MR-005", _("Reference methodology MR-005")
        MR006 = "MR-006", _("Reference methodology MR-006")
        MR007 = "MR-007", _("Reference methodology MR-007")
        MR008 = "MR-008", _("Reference methodology MR-008")

    kind = models.CharField(
        _("kind of application"),
        max_length=10,
        choices=Kind,
        default=Kind.ACCESS,
        editable=False,
        db_index=True,
    )
    reference = models.CharField(
        _("reference"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("Given at first submission, for example HDH-2026-0042."),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status, default=Status.DRAFT, editable=False
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("Shown in the public directory: write it for a general audience."),
    )
    purpose = models.TextField(_("purpose and public-interest justification"), blank=True)
    methodology = models.TextField(_("methodology"), blank=True)
    expected_results = models.TextField(_("expected results"), blank=True)
    sponsor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("sponsor organisation"),
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="projects", verbose_name=_("themes")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("programme"),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    funding = models.TextField(_("funding"), blank=True)
    # A data request's own question (EHDS Art. 69): the statistics it asks for.
    statistics_wanted = models.TextField(
        _("statistics wanted"),
        blank=True,
        help_text=_(
            "The tables and indicators you need, with their breakdowns (age group, region, "
            "year…). The hub delivers anonymised statistics only, never individual data."
        ),
    )
    # What a data access application must say under the EHDS (Art. 67) and French practice.
    data_users = models.TextField(
        _("who will access the data"),
        blank=True,
        help_text=_(
            "The names or roles of the people who will work on the data, and their organisation."
        ),
    )
    environment = models.CharField(
        _("secure processing environment"),
        max_length=10,
        choices=Environment,
        blank=True,
    )
    environment_name = models.CharField(
        _("name of that environment"),
        max_length=200,
        blank=True,
        help_text=_("For another environment: its name and who operates it."),
    )
    planned_outputs = models.TextField(
        _("outputs planned to leave the environment"),
        blank=True,
        help_text=_(
            "What you plan to take out of the secure environment (tables, figures, model "
            "parameters): only anonymised results may leave it."
        ),
    )
    legal_route = models.CharField(
        _("legal route"),
        max_length=10,
        choices=LegalRoute,
        blank=True,
        help_text=_("A CNIL authorisation, or a reference methodology the project complies with."),
    )
    conformity_declared = models.BooleanField(
        _("declaration of conformity filed"),
        default=False,
        help_text=_(
            "For a reference methodology: the sponsor has filed its declaration of "
            "conformity with the CNIL."
        ),
    )
    accepts_no_reidentification = models.BooleanField(
        _("no attempt to re-identify anyone"),
        default=False,
        help_text=_(
            "The sponsor undertakes that nobody will try to re-identify a person from "
            "the data, nor link them to other data to that end."
        ),
    )
    accepts_no_harm = models.BooleanField(
        _("no use that could stigmatise or harm"),
        default=False,
        help_text=_(
            "The sponsor undertakes not to use the data or the results to take decisions "
            "to the detriment of a person or group, nor in any way that could stigmatise "
            "or harm them (EHDS Art. 54)."
        ),
    )
    data_processor = models.CharField(
        _("data processor"),
        max_length=200,
        blank=True,
        help_text=_("The organisation that processes the data on the sponsor's behalf, if any."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        limit_choices_to={"is_staff": True},
        related_name="assigned_projects",
        verbose_name=_("reviewer in charge"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    status_changed_at = models.DateTimeField(
        _("in this state since"), auto_now_add=True, editable=False
    )
    # When the sponsor team last wrote to the hub or resubmitted: what makes the file
    # "unread" for a staff member who has not opened it since (see `ThreadRead`).
    sponsor_answered_at = models.DateTimeField(
        _("sponsor last wrote or resubmitted at"), null=True, blank=True, editable=False
    )
    results = models.TextField(
        _("results and publications"),
        blank=True,
        help_text=_("Published at the end of the project, in the public directory."),
    )
    # Full-text search over title, sponsor name and public summary, kept up to date by
    # a PostgreSQL trigger and GIN-indexed (migration 0005); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic lock: every save of the content increments it, so two team
    # members editing at once cannot silently overwrite each other.
    edit_version = models.PositiveIntegerField(default=1, editable=False)
    # Key dates, each set by the transition that reaches the stage.
    submitted_on = models.DateField(_("first submitted on"), null=True, blank=True, editable=False)
    opinion_on = models.DateField(_("opinion given on"), null=True, blank=True, editable=False)
    authorised_on = models.DateField(_("authorised on"), null=True, blank=True, editable=False)
    launched_on = models.DateField(_("launched on"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    # When the hub first published one of its results or algorithms: what the
    # directory's `results` filter and the due date's reminders read (`projects.results`).
    results_published_on = models.DateField(
        _("results first published on"), null=True, blank=True, editable=False
    )
    # The review's clocks (`projects.clocks`), computed from the audit trail by the
    # services in the transaction of every transition and extension, and stored for
    # sorting and filtering. Set only while a clock runs (or, for the pause, stands).
    stage_due_on = models.DateField(
        _("stage due on"), null=True, blank=True, editable=False, db_index=True
    )
    decision_due_on = models.DateField(
        _("decision due on"), null=True, blank=True, editable=False, db_index=True
    )
    clock_paused_on = models.DateField(
        _("clock paused since"), null=True, blank=True, editable=False
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        permissions = [("transition_project", _("Can move a project through the review"))]
        indexes = [
            models.Index(fields=["status", "submitted_on"], name="project_status_submitted"),
            models.Index(fields=["-submitted_on", "-id"], name="project_recent"),
            # The statistics count a year's launches by theme and programme, and its
            # authorisations and their delays, from these two indexes alone.
            models.Index(fields=["launched_on", "programme", "id"], name="project_launched"),
            models.Index(fields=["authorised_on", "submitted_on"], name="project_authorised"),
            models.Index(fields=["updated_at"], name="project_updated"),
            # The public directory's rows only: its facet counts read this index alone.
            models.Index(
                fields=["status", "submitted_on", "id"],
                condition=~Q(status="draft") & ~Q(reference=""),
                name="project_public",
            ),
            # The public projects with a results state (completed, or something
            # published): the directory's results counts and the year's results figures
            # read this index alone.
            models.Index(
                fields=["status", "completed_on", "results_published_on", "id"],
                condition=~Q(status="draft")
                & ~Q(reference="")
                & (Q(status="completed") | Q(results_published_on__isnull=False)),
                name="project_results",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="project_reference_unique"
            )
        ]

    def __str__(self) -> str:
        label = self.title or _("Untitled project")
        return f"{self.reference} · {label}" if self.reference else str(label)

    def get_absolute_url(self) -> str:
        return reverse("my:project", kwargs={"pk": self.pk})

    @property
    def is_data_request(self) -> bool:
        return self.kind == self.Kind.REQUEST

    @property
    def is_editable(self) -> bool:
        return self.status in SPONSOR_EDITABLE

    @property
    def is_public(self) -> bool:
        """In the public directory: the row-level twin of `ProjectQuerySet.public`."""
        return self.status != Status.DRAFT and self.reference != ""

    @property
    def next_step(self) -> str:
        if self.is_data_request and self.status in REQUEST_NEXT_STEPS:
            return str(REQUEST_NEXT_STEPS[self.status])
        return str(NEXT_STEPS[self.status])

    @property
    def due_on(self) -> date | None:
        """The nearer of the stored due dates (see `NEXT_DUE`), without a query."""
        dates = [day for day in (self.stage_due_on, self.decision_due_on) if day]
        return min(dates) if dates else None

    def stage_label(self, stage: str | None) -> "StrPromise | None":
        """What a stage of the clock is called for this project. A data request's
        review (`under_review`) runs on the opinion's budget, but no committee sits:
        the hub checks that statistics can answer it, then accepts it."""
        if self.is_data_request and stage == clocks.Stage.OPINION:
            return _("review of the request")
        return STAGE_LABELS.get(stage or "")

    def review_clock(self, *, today: date | None = None) -> clocks.Clock:
        """The clock as the audit trail, the extensions and the hub's settings give it
        (three queries): what the project's pages show, and what the services store."""
        changes = [
            clocks.Change(at=at, to_status=to_status)
            for at, to_status in self.events.exclude(to_status="").values_list("at", "to_status")
        ]
        return clocks.compute(
            changes,
            deadlines=ReviewDeadlines.load().rules(),
            extensions=dict(self.extensions.values_list("clock", "months")),
            today=today or clocks.hub_today(),
            tz=clocks.hub_timezone(),
        )

    @property
    def authorisation_on_record(self) -> "Authorisation | None":
        """The authorisation recorded for the project, if any: the only thing that lets
        a page call it authorised (select_related("authorisation") saves the query)."""
        try:
            return self.authorisation
        except Authorisation.DoesNotExist:
            return None

    @property
    def reached_authorisation(self) -> bool:
        return self.status in AUTHORISED or self.authorised_on is not None

    @property
    def public_status_label(self) -> str:
        """The state as the public reads it. "Approved" reads "authorised" (autorisé):
        without the authorisation's reference on record (a project imported, or
        recorded before the review required it) the public page says what is missing
        instead of calling it authorised."""
        if self.status == Status.APPROVED and self.authorisation_on_record is None:
            return str(_("Authorisation reference pending"))
        return self.get_status_display()

    @property
    def opinion_on_record(self) -> "Opinion | None":
        try:
            return self.opinion
        except Opinion.DoesNotExist:
            return None


class TeamMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["role", "added_at"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="team_member_once"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="owner"), name="team_one_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Invitation(EmailedInvitation):
    """An emailed invitation to join a project's team; the link proves the address."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")

    class Meta(EmailedInvitation.Meta):
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    AGREED = "agreed", _("Agreed")
    AGREED_WITH_CONDITIONS = "conditions", _("Agreed with conditions")
    REFUSED = "refused", _("Refused")
    DELIVERED = "delivered", _("Delivered")


# The holder's decisions that let a project launch (`services.transition_blockers`).
DATA_GRANTED = {Decision.AGREED, Decision.AGREED_WITH_CONDITIONS, Decision.DELIVERED}
# Agreed, the data still to deliver.
AGREED = {Decision.AGREED, Decision.AGREED_WITH_CONDITIONS}
# A holder decides, and revises its decision, from submission until the launch; the
# delivery may still be recorded while the project is in progress.
HOLDER_DECIDES = IN_REVIEW
HOLDER_DELIVERS = IN_REVIEW | {Status.IN_PROGRESS}


class RequestedBase(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requested_bases")
    base = models.ForeignKey(
        Base, on_delete=models.PROTECT, related_name="requests", verbose_name=_("base")
    )
    justification = models.TextField(_("why this base"), blank=True)
    period_start = models.DateField(_("data wanted from"), null=True, blank=True)
    period_end = models.DateField(_("data wanted until"), null=True, blank=True)
    # The data holder's decision, recorded by its members (or by the hub's staff for a
    # holder without an account) through `holders.requested_base_decide`, which keeps
    # each one in `HolderDecision`.
    decision = models.CharField(
        _("data holder's decision"), max_length=10, choices=Decision, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(
        _("conditions or reason"),
        blank=True,
        help_text=_("The holder's conditions to an agreement, or its reason for a refusal."),
    )
    delivered_on = models.DateField(_("data delivered on"), null=True, blank=True)
    # The hub goes on without a base its holder refused: the launch no longer waits for
    # it. A new decision of the holder brings it back.
    set_aside = models.BooleanField(
        _("set aside by the hub"),
        default=False,
        help_text=_("Refused by its holder: the project goes on without this base."),
    )
    # When the holder's members were emailed that the base is requested: once, at the
    # first submission that asked for it (`notifications.notify_holders_of_requests`).
    holder_told_at = models.DateTimeField(
        _("holder told at"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["base__acronym"]
        verbose_name = _("requested base")
        verbose_name_plural = _("requested bases")
        constraints = [
            models.UniqueConstraint(fields=["project", "base"], name="base_requested_once"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="requested_period_in_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.base)


def random_name(folder: str, project_id: int, content_type: str) -> str:
    """A random name with the extension of the type detected from the content,
    never the one the uploader chose."""
    return f"{folder}/{project_id}/{uuid4().hex}{EXTENSIONS.get(content_type, '')}"


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return random_name("projects", attachment.project_id, attachment.content_type)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PROTOCOL = "protocol", _("Protocol")
        OTHER = "other", _("Other document")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The name to download under, with the extension of the detected type (also
        for files stored before names were corrected at upload)."""
        if self.content_type not in EXTENSIONS:
            return self.original_name
        return name_for_type(self.original_name, self.content_type)


def delivery_path(delivery: "Delivery", filename: str) -> str:
    return random_name("deliveries", delivery.project_id, delivery.content_type)


class Delivery(models.Model):
    """The statistics the hub produced for a data request (EHDS Art. 69), as a file
    for the project's team only: never public."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="deliveries")
    file = models.FileField(_("file"), upload_to=delivery_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    note = models.TextField(
        _("note to the team"),
        blank=True,
        help_text=_("What the file holds, and how the statistics were produced."),
    )
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name = _("delivered statistics")
        verbose_name_plural = _("delivered statistics")

    def __str__(self) -> str:
        return self.original_name


class ProjectVersion(models.Model):
    """The full content of an application as it was submitted; never changes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecord(_("A submitted version never changes."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(_("A submitted version is never deleted."))


class ImmutableRecord(Exception):
    pass


class RejectionGround(models.TextChoices):
    """The rule a rejection rests on: chosen by the reviewer, shown to the sponsor team
    (page and email) with what the rule says, beside the reviewer's own reason."""

    NOT_ADMISSIBLE = "not_admissible", _("Not admissible or incomplete")
    NO_PUBLIC_INTEREST = "no_public_interest", _("No public interest shown")
    METHODOLOGY = "methodology", _("Methodology unsound")
    UNFAVOURABLE_OPINION = "unfavourable_opinion", _("Unfavourable CESREES opinion")
    CNIL_REFUSAL = "cnil_refusal", _("Authorisation refused by the CNIL")
    OTHER = "other", _("Other ground")


# What each ground means, in plain words, for the sponsor team.
REJECTION_RULES: dict[str, "StrPromise"] = {
    RejectionGround.NOT_ADMISSIBLE: _(
        "The application is not admissible: it is still incomplete after the hub's "
        "requests, or its request is outside what the hub can grant."
    ),
    RejectionGround.NO_PUBLIC_INTEREST: _(
        "Access to health data is granted only for a purpose of public interest; the "
        "application does not show one."
    ),
    RejectionGround.METHODOLOGY: _(
        "The methodology does not show that the data requested are necessary and "
        "relevant to the purpose, or that the study can answer its question."
    ),
    RejectionGround.UNFAVOURABLE_OPINION: _(
        "The CESREES, the committee that assesses the scientific and ethical merits of "
        "studies on health data, gave an unfavourable opinion."
    ),
    RejectionGround.CNIL_REFUSAL: _(
        "The CNIL, the data protection authority, refused to authorise the processing "
        "of personal data."
    ),
    RejectionGround.OTHER: _("Another ground, explained in the hub's reason."),
}


class Event(models.Model):
    """One line of a project's audit trail: appended, never updated or deleted."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        SPONSOR = "sponsor", _("Sponsor team and staff")
        STAFF = "staff", _("Staff only")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_status = models.CharField(_("from"), max_length=30, choices=Status, blank=True)
    to_status = models.CharField(_("to"), max_length=30, choices=Status, blank=True)
    action = models.CharField(_("action"), max_length=40)
    reason = models.TextField(_("reason"), blank=True)
    # The rule a rejection rests on; empty for every other event. A database default
    # too, so that rows written outside Django (the benchmark's COPY) need not name it.
    ground = models.CharField(
        _("ground"),
        max_length=30,
        choices=RejectionGround,
        blank=True,
        default="",
        db_default="",
    )
    visibility = models.CharField(_("visible to"), max_length=10, choices=Visibility)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        at = formats.date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{self.project} · {self.label} · {at}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecord(_("An event of the audit trail is never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(_("An event of the audit trail is never deleted."))

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def ground_rule(self) -> str:
        """What the rule a rejection rests on says; empty for other events."""
        return str(REJECTION_RULES.get(self.ground, ""))


ACTION_LABELS = {
    "created": _("Application started"),
    "submitted": _("Submitted"),
    "resubmitted": _("Resubmitted"),
    "changes_requested": _("Changes requested by the hub"),
    "admissible": _("Admissible: review started"),
    "opinion_given": _("Opinion given, awaiting authorisation"),
    "authorised": _("Authorised"),
    "launched": _("Launched: data made available"),
    "completed": _("Completed"),
    "accepted": _("Accepted: the hub prepares the statistics"),
    "statistics_delivered": _("Statistics delivered by the hub"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn by the sponsor"),
    "assigned": _("Reviewer assigned"),
    "imported": _("Imported from an earlier register"),
    "attachment_read": _("Attachment read by the hub"),
    "authorisation_deadline_extended": _("Authorisation deadline extended"),
    "decision_deadline_extended": _("Decision deadline extended"),
    "holder_agreed": _("Data holder agreed"),
    "holder_agreed_with_conditions": _("Data holder agreed with conditions"),
    "holder_refused": _("Data holder refused"),
    "holder_delivered": _("Data delivered by the holder"),
    "base_set_aside": _("Refused base set aside by the hub"),
    "result_declared": _("Result declared"),
    "result_published": _("Result published by the hub"),
    "result_refused": _("Result refused by the hub"),
    "algorithm_declared": _("Algorithm declared"),
    "algorithm_published": _("Algorithm published by the hub"),
    "algorithm_refused": _("Algorithm refused by the hub"),
}


class HolderDecision(models.Model):
    """A data holder's decision on a requested base, a revision of it, or the delivery
    of its data: appended, never changed, each with its event in the audit trail.

    Kept by project and base, so that the history outlives the request (the sponsor
    team may drop a base when the hub asks for changes)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="holder_decisions")
    base = models.ForeignKey(
        Base, on_delete=models.PROTECT, related_name="+", verbose_name=_("base")
    )
    requested = models.ForeignKey(
        RequestedBase, on_delete=models.SET_NULL, null=True, related_name="history"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision)
    note = models.TextField(_("conditions or reason"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True)
    delivered_on = models.DateField(_("data delivered on"), null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Recorded by the hub's staff on behalf of a holder (one without an account).
    by_the_hub = models.BooleanField(_("recorded by the hub for the holder"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("data holder's decision")
        verbose_name_plural = _("data holders' decisions")

    def __str__(self) -> str:
        return f"{self.project} {self.base}: {self.get_decision_display()}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecord(_("A data holder's decision on record is never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(_("A data holder's decision on record is never deleted."))


class Message(models.Model):
    """The thread between the sponsor team and the hub, instead of email ping-pong."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(_("from the hub"), default=False)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class ReferenceCounter(models.Model):
    """Last number given per year; locked when a reference is issued so none repeats."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Opinion(models.Model):
    """The scientific and ethical opinion of the CESREES."""

    class Verdict(models.TextChoices):
        FAVOURABLE = "favourable", _("Favourable")
        WITH_RECOMMENDATIONS = "recommendations", _("Favourable with recommendations")
        UNFAVOURABLE = "unfavourable", _("Unfavourable")

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="opinion")
    verdict = models.CharField(_("opinion"), max_length=20, choices=Verdict)
    given_on = models.DateField(_("given on"))
    text = models.TextField(_("text of the opinion"), blank=True)

    class Meta:
        verbose_name = _("CESREES opinion")
        verbose_name_plural = _("CESREES opinions")

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} ({self.given_on:%Y-%m-%d})"


# A CNIL research authorisation is numbered DR-YYYY-NNN: the year of the decision and
# its number in that year, three digits or more (DR-2025-104; a thousandth decision
# in a year would be DR-2025-1000).
CNIL_DECISION_NUMBER = re.compile(r"DR-(?P<year>[0-9]{4})-[0-9]{3,}")
validate_cnil_decision_number = RegexValidator(
    regex=rf"\A{CNIL_DECISION_NUMBER.pattern}\Z",
    message=_("A CNIL decision number is written DR-YYYY-NNN, for example DR-2025-104."),
    code="cnil_decision_number",
)


class Authorisation(models.Model):
    """A CNIL decision, or the reference methodology the project declares it follows.

    Either one is the evidence that lets the hub approve a project
    (`services.transition_blockers`), and what the public page shows as the
    authorisation's reference.
    """

    class Kind(models.TextChoices):
        CNIL = "cnil", _("CNIL decision")
        METHODOLOGY = "methodology", _("Reference methodology")

    class Methodology(models.TextChoices):
        MR001 = "MR-001", "MR-001"
        MR002 = "MR-002", "MR-002"
        MR003 = "MR-003", "MR-003"
        MR004 = "MR-004", "MR-004"
        MR005 = "MR-005", "MR-005"
        MR006 = "MR-006", "MR-006"
        MR007 = "MR-007", "MR-007"
        MR008 = "MR-008", "MR-008"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="authorisation")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    decision_number = models.CharField(
        _("CNIL decision number"),
        max_length=40,
        blank=True,
        validators=[validate_cnil_decision_number],
        help_text=_("For a CNIL decision: its number, DR-YYYY-NNN (for example DR-2025-104)."),
    )
    methodology = models.CharField(
        _("reference methodology"),
        max_length=6,
        choices=Methodology,
        blank=True,
        help_text=_(
            "For a project that declares it follows a reference methodology: no CESREES "
            "opinion nor CNIL decision is then needed."
        ),
    )
    decided_on = models.DateField(
        _("date"), help_text=_("The date of the CNIL decision, or of the declaration.")
    )

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cnil") & ~Q(decision_number=""))
                | (Q(kind="methodology") & ~Q(methodology="")),
                name="authorisation_reference_given",
                violation_error_message=_(
                    "Give the CNIL decision number, or the reference methodology followed."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} ({self.decided_on:%Y-%m-%d})"

    @property
    def reference(self) -> str:
        """The CNIL decision number, or the reference methodology declared."""
        return self.decision_number if self.kind == self.Kind.CNIL else self.methodology

    def clean(self) -> None:
        self.decision_number = self.decision_number.strip().upper()
        errors: dict[str, list] = {}
        if self.kind == self.Kind.CNIL and self.methodology:
            errors["methodology"] = [_("Leave it empty for a CNIL decision.")]
        if self.kind == self.Kind.METHODOLOGY and self.decision_number:
            errors["decision_number"] = [_("Leave it empty for a reference methodology.")]
        if self.kind == self.Kind.CNIL and CNIL_DECISION_NUMBER.fullmatch(self.decision_number):
            # The format itself is the field validator's message; here, the year.
            year_problems = self.problems()
            if year_problems:
                errors["decision_number"] = year_problems
        if errors:
            raise ValidationError(errors)

    def problems(self) -> list[str]:
        """Why this record is not (yet) a usable authorisation, in words for staff.

        The form refuses such a record, but rows written before the format was
        checked, or by an import, may hold one; the transition service asks this
        before it approves a project."""
        if self.kind == self.Kind.METHODOLOGY:
            if self.methodology not in self.Methodology.values:
                return [str(_("Choose the reference methodology (MR-001 to MR-008)."))]
            return []
        match = CNIL_DECISION_NUMBER.fullmatch(self.decision_number)
        if match is None:
            return [
                _(
                    "The CNIL decision number “%(number)s” is not in the format DR-YYYY-NNN "
                    "(for example DR-2025-104)."
                )
                % {"number": self.decision_number}
            ]
        if self.decided_on and int(match["year"]) != self.decided_on.year:
            return [
                _(
                    "The CNIL decision number %(number)s is of %(year)s, but its date is "
                    "in %(date_year)s."
                )
                % {
                    "number": self.decision_number,
                    "year": match["year"],
                    "date_year": self.decided_on.year,
                }
            ]
        return []


class InternalNote(models.Model):
    """A reviewer's note: never shown to the sponsor."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return self.body[:60]


class ReviewDeadlines(models.Model):
    """The hub's deadline for each stage of the review: a single row, which only the
    hub administrators change (permission `change_reviewdeadlines`).

    The defaults are the rules the hub works under: the admissibility check within
    15 days, the CESREES opinion within a month, the CNIL authorisation within two
    months (renewable once), and a decision within three months of the first
    complete submission, extendable once by three (EHDS regulation, art. 68).
    A change applies at once to every open file: its due dates are recomputed.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    admissibility_days = models.PositiveSmallIntegerField(
        _("admissibility check (days)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Calendar days, from submission, to check the application is complete."),
    )
    opinion_months = models.PositiveSmallIntegerField(
        _("CESREES opinion (months)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Calendar months from the start of the review (under review)."),
    )
    authorisation_months = models.PositiveSmallIntegerField(
        _("authorisation (months)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Calendar months from the opinion (awaiting authorisation)."),
    )
    authorisation_extension_months = models.PositiveSmallIntegerField(
        _("extension of the authorisation deadline (months)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Granted once per file, with a reason told to the sponsor."),
    )
    decision_months = models.PositiveSmallIntegerField(
        _("overall decision (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Calendar months from the first complete submission (EHDS: 3)."),
    )
    decision_extension_months = models.PositiveSmallIntegerField(
        _("extension of the decision deadline (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Granted once per file, with a reason told to the sponsor (EHDS: 3)."),
    )
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        verbose_name = _("review deadlines")
        verbose_name_plural = _("review deadlines")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="review_deadlines_single")]

    def __str__(self) -> str:
        return str(_("Review deadlines"))

    @classmethod
    def load(cls) -> "ReviewDeadlines":
        """The single row (created with the defaults if a migration did not). Read
        first, so that a public page reads it where it reads the rest (`portal.replica`)."""
        deadlines = cls.objects.filter(pk=1).first()
        if deadlines is None:
            deadlines, _created = cls.objects.get_or_create(pk=1)
        return deadlines

    def rules(self) -> clocks.Deadlines:
        return clocks.Deadlines(
            admissibility_days=self.admissibility_days,
            opinion_months=self.opinion_months,
            authorisation_months=self.authorisation_months,
            authorisation_extension_months=self.authorisation_extension_months,
            decision_months=self.decision_months,
            decision_extension_months=self.decision_extension_months,
        )


class PublicVersion(models.Model):
    """The version of what the public sees of the projects: a single row, moved on by
    every service that changes it (`services.public_data_changed`), in the same
    transaction, and never by a change the public cannot see (a draft saved, a
    message, an internal note, a private file).

    The public pages and the staff dashboard cache their figures under it
    (`PublicVersion.current`). A counter bumped under the row's lock orders the changes by
    commit, which the latest `updated_at` of a column cannot: a transaction that
    started first but commits last would leave the maximum unmoved, and its change
    unseen until the cache expired. `changed_at` goes into the cache key too, so a
    database restored or recreated beside a running cache never meets its old keys.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    number = models.PositiveBigIntegerField(_("number"), default=0)
    changed_at = models.DateTimeField(_("last change"), default=timezone.now)

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data versions")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="public_version_single")]

    def __str__(self) -> str:
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls) -> str:
        """The key part that every cached public figure and page shares: one read by key."""
        found = cls.objects.filter(pk=1).values_list("number", "changed_at").first()
        if found is None:
            return "0"
        number, changed_at = found
        return f"{number}:{changed_at.isoformat()}"


# The fields of a project that the law makes public, as the exports and the open
# API give them (`public.exports.public_record`, `api.serializers`).
PUBLIC_FIELDS = [
    "reference",
    "title",
    "summary",
    "sponsor",
    "sponsor_verified",
    "themes",
    "programme",
    "bases",
    "status",
    # A data access application or a data request (EHDS Art. 67 or 69).
    "kind",
    "submitted_on",
    "opinion_on",
    "authorised_on",
    "authorisation",
    "launched_on",
    "completed_on",
    # The results state as of the day asked (`results.state_of`) and their due date.
    "results",
    "results_due_on",
    "url",
]


class StageMeasure(models.Model):
    """One finished stage of a file as its audit trail gives it (`clocks.measure`), or
    the day the file was first submitted (`FIRST_SUBMISSION`, no days).

    Kept by the services in the transaction of every change of the trail
    (`services.clock_store`, `services.clocks_refresh`), and all at once when the
    hub's deadlines change, so the processing times read these rows instead of
    replaying every file's trail."""

    FIRST_SUBMISSION = "first_submission"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    stage = models.CharField(_("stage"), max_length=20)
    ended_on = models.DateField(_("ended on"))
    days = models.PositiveIntegerField(_("days"))
    allowed_days = models.PositiveIntegerField(_("days allowed"))

    class Meta:
        verbose_name = _("stage measure")
        verbose_name_plural = _("stage measures")
        indexes = [models.Index(fields=["project"], name="stage_measure_project")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage} {self.ended_on} {self.days}"


class DeadlineExtension(models.Model):
    """A deadline extended, once per clock and file, for a reason told to the sponsor."""

    class Clock(models.TextChoices):
        AUTHORISATION = clocks.AUTHORISATION_CLOCK, _("authorisation deadline")
        DECISION = clocks.DECISION_CLOCK, _("decision deadline")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="extensions")
    clock = models.CharField(_("deadline"), max_length=20, choices=Clock)
    months = models.PositiveSmallIntegerField(_("months added"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    event = models.OneToOneField(
        Event, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["granted_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(fields=["project", "clock"], name="deadline_extended_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_clock_display()} +{self.months}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecord(_("An extension granted is never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(_("An extension granted is never deleted."))


class ReviewReminder(models.Model):
    """A file included in the reviewers' daily reminder: at most once a day per file."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField(_("sent on"))
    recipients = models.TextField(_("sent to"), blank=True)

    class Meta:
        ordering = ["-sent_on", "pk"]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(fields=["project", "sent_on"], name="reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.sent_on:%Y-%m-%d}"


class HolderDigest(models.Model):
    """A data holder's member's weekly digest of the requests waiting for a decision:
    at most one per person and week (`projects.holder.digests`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("to")
    )
    week_of = models.DateField(_("week of"), help_text=_("The Monday of the week."))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    requests = models.PositiveIntegerField(_("requests waiting"))

    class Meta:
        ordering = ["-week_of", "pk"]
        verbose_name = _("data holder's weekly digest")
        verbose_name_plural = _("data holders' weekly digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "week_of"], name="holder_digest_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.week_of:%Y-%m-%d}"


class ThreadRead(models.Model):
    """When a staff member last opened a project's change page, where its thread is.

    Each staff member has their own: a file the sponsor answered since (their
    message, their resubmission: `Project.sponsor_answered_at`) is "unread" for
    every reviewer who has not opened it since, so the reviewer in charge never
    misses an answer because a colleague looked at the file first.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("thread read")
        verbose_name_plural = _("threads read")
        constraints = [
            models.UniqueConstraint(fields=["reader", "project"], name="thread_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.reader} {self.project} {self.read_at:%Y-%m-%d %H:%M}"


# Results (EHDS regulation (EU) 2025/327, Art. 61(4)) and the open library of health
# algorithms (Bibliothèque Ouverte d'Algorithmes en Santé, BOAS). The sponsor team
# declares them once the project is in progress or completed; the hub reviews each
# before the public sees it (`projects.results`).
RESULTS_DECLARABLE = {Status.IN_PROGRESS, Status.COMPLETED}


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Awaiting the hub's review")
    PUBLISHED = "published", pgettext_lazy("a result", "Published")
    REFUSED = "refused", _("Refused by the hub")


class ReviewedByHub(models.Model):
    """What a sponsor team declares and the hub publishes or refuses, with its comment.
    Only the services (`projects.results`) move the state."""

    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ReviewState,
        default=ReviewState.PENDING,
        editable=False,
        db_index=True,
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("declared by"),
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    review_comment = models.TextField(
        _("hub's comment"),
        blank=True,
        editable=False,
        help_text=_("Sent to the author; required when refusing."),
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == ReviewState.PUBLISHED


def result_path(result: "Result", filename: str) -> str:
    """Reports are PDFs, checked by content: a random name, never the uploader's."""
    return f"results/{result.project_id}/{uuid4().hex}.pdf"


class Result(ReviewedByHub):
    """A result of a project: a publication, a report, a dataset or code."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication")
        REPORT = "report", _("Report")
        DATASET = "dataset", _("Dataset")
        CODE = "code", _("Code")

    # The fields each kind must give, besides its title.
    REQUIRED: dict[str, tuple[str, ...]] = {
        Kind.PUBLICATION: ("doi", "venue", "year"),
        Kind.REPORT: ("file",),
        Kind.DATASET: ("url",),
        Kind.CODE: ("url",),
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    title = models.CharField(_("title"), max_length=500)
    doi = models.CharField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[identifiers.validate_doi],
        help_text=_("For example 10.1038/s41586-020-2649-2, or its https://doi.org/ link."),
    )
    venue = models.CharField(_("journal or conference"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    url = models.URLField(_("address (URL)"), max_length=500, blank=True)
    file = models.FileField(_("report (PDF)"), upload_to=result_path, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["kind", "-year", "declared_at"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        indexes = [models.Index(fields=["state", "reviewed_at"], name="result_reviewed")]

    def __str__(self) -> str:
        return self.title

    def clean_fields(self, exclude=None) -> None:
        """Each kind's own required fields, beside the fields' own checks; a field
        left out (a form that found it invalid already) is not told it is missing."""
        errors: dict = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in self.REQUIRED.get(self.kind, ()):
            if name not in (exclude or ()) and name not in errors and not getattr(self, name):
                errors[name] = [
                    ValidationError(_("Required for this kind of result."), code="required")
                ]
        if errors:
            raise ValidationError(errors)

    @property
    def link(self) -> str:
        """Where the public reads it: the DOI's resolver, or the address given (a
        report's file is served by the portal, `public:result-file`)."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


class AlgorithmQuerySet(models.QuerySet):
    def published(self) -> "AlgorithmQuerySet":
        """What the public library shows: the algorithms with a published version, of
        projects in the public directory."""
        return self.filter(current__isnull=False, project__in=Project.objects.public())

    def as_cards(self) -> "AlgorithmQuerySet":
        """With what a card shows (its project, whose authorisation names its status, the
        project's themes, the current version's bases): a fixed number of queries."""
        return self.select_related("current", "project", "project__authorisation").prefetch_related(
            "project__themes",
            models.Prefetch("current__bases", queryset=Base.objects.order_by("acronym")),
        )


class Algorithm(models.Model):
    """An algorithm of the open library (BOAS): a card whose versions are kept. The
    public sees it once a version is published, `current` being the latest one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="algorithms")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    current = models.OneToOneField(
        "AlgorithmVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published version"),
    )

    objects = AlgorithmQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("algorithm")
        verbose_name_plural = _("algorithms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("algorithms:detail", kwargs={"slug": self.slug})


class AlgorithmVersionQuerySet(models.QuerySet):
    def published(self) -> "AlgorithmVersionQuerySet":
        """The versions the public may read, latest published first: never one awaiting
        the hub's review or refused."""
        return self.filter(state=ReviewState.PUBLISHED).order_by("-reviewed_at", "-pk")


class AlgorithmVersion(ReviewedByHub):
    """One version of an algorithm's card, as declared; never edited once published."""

    algorithm = models.ForeignKey(Algorithm, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(
        _("version"), max_length=40, help_text=_("For example 1.0 or 2.1.3.")
    )
    purpose = models.TextField(_("purpose"))
    intended_use = models.TextField(_("intended use"))
    population = models.TextField(
        _("population"), help_text=_("Who the algorithm was built on: ages, conditions, period.")
    )
    bases = models.ManyToManyField(
        Base, blank=True, related_name="algorithm_versions", verbose_name=_("bases used")
    )
    inputs = models.TextField(_("inputs"))
    outputs = models.TextField(_("outputs"))
    performance = models.TextField(_("performance"))
    metric = models.CharField(
        _("metric"), max_length=200, help_text=_("For example AUC, sensitivity, F1 score.")
    )
    validation_data = models.TextField(_("validation data"))
    limitations = models.TextField(_("known limitations and risks"))
    licence = models.CharField(
        _("licence"),
        max_length=200,
        validators=[identifiers.validate_spdx],
        help_text=_("An SPDX identifier or expression, for example EUPL-1.2 or MIT OR Apache-2.0."),
    )
    repository_url = models.URLField(_("code repository"), max_length=500)

    objects = AlgorithmVersionQuerySet.as_manager()

    class Meta:
        ordering = ["algorithm", "-declared_at"]
        verbose_name = _("algorithm version")
        verbose_name_plural = _("algorithm versions")
        constraints = [
            models.UniqueConstraint(fields=["algorithm", "version"], name="algorithm_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.version}"

    @property
    def project(self) -> Project:
        return self.algorithm.project

    @property
    def licence_parts(self) -> list[tuple[str, str]]:
        """The licence expression, each SPDX identifier with its page on spdx.org."""
        return identifiers.spdx_parts(self.licence)


# A version's card as the team declares it and the public reads it, in this order.
ALGORITHM_CARD_FIELDS = [
    "version",
    "purpose",
    "intended_use",
    "population",
    "bases",
    "inputs",
    "outputs",
    "performance",
    "metric",
    "validation_data",
    "limitations",
    "licence",
    "repository_url",
]


class ResultsReminder(models.Model):
    """A reminder to the sponsor team that its results are due: each step at most once
    per project (`projects.results`)."""

    class Step(models.TextChoices):
        THREE_MONTHS = "3_months", _("Three months before the due date")
        ONE_MONTH = "1_month", _("One month before the due date")
        DUE = "due", _("Due date passed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results_reminders")
    step = models.CharField(_("step"), max_length=10, choices=Step)
    sent_on = models.DateField(_("sent on"))
    recipients = models.TextField(_("sent to"), blank=True)

    class Meta:
        ordering = ["-sent_on", "pk"]
        verbose_name = _("results reminder")
        verbose_name_plural = _("results reminders")
        constraints = [
            models.UniqueConstraint(fields=["project", "step"], name="results_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.step}"
