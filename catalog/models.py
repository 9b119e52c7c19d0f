"""The catalog: data holders, the bases they hold, and each base's onboarding milestones."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataHolder(models.Model):
    """An organisation that holds a catalog base and agrees, base by base, to provide it."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        CANCER_CENTRE = "cancer_centre", _("Cancer centre network")
        AGENCY = "agency", _("Public health agency")
        RESEARCH = "research", _("Research institute")
        COMPANY = "company", _("Company")
        REGIONAL = "regional", _("Regional body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("data holder")
        verbose_name_plural = _("data holders")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class HolderMembership(models.Model):
    """A person who acts for a data holder on the portal: decides on the requests for
    its bases and invites colleagues. Added by a hub administrator (admin) or joined by
    an invitation from a member; the same person may also belong to sponsor
    organisations."""

    holder = models.ForeignKey(
        DataHolder,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("data holder"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="holder_memberships",
        verbose_name=_("person"),
    )
    joined_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        ordering = ["holder", "joined_at"]
        verbose_name = _("data holder member")
        verbose_name_plural = _("data holder members")
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "user"],
                name="holder_member_once",
                violation_error_message=_("This person is already a member of this holder."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.holder.short_name}"


# Searches take at most this many words (the rest is ignored) and this many
# characters (a longer one is refused by the search forms): each word is one more
# group of conditions, so a pasted page of text would otherwise make a query 30 times
# slower than usual. The public directory's search uses the same limits.
MAX_SEARCH_WORDS = 12
MAX_SEARCH_LENGTH = 200


class BaseQuerySet(models.QuerySet):
    def with_holder(self) -> "BaseQuerySet":
        return self.select_related("data_holder")

    def having_reached(self, kind: str) -> "BaseQuerySet":
        return self.filter(milestones__kind=kind)

    def search(self, text: str) -> "BaseQuerySet":
        """Case-insensitive search over what a visitor would type: names, words, holder.

        Every word must match; only the first MAX_SEARCH_WORDS words are taken.
        """
        query = Q()
        for word in text.split()[:MAX_SEARCH_WORDS]:
            query &= (
                Q(acronym__icontains=word)
                | Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(keywords__icontains=word)
                | Q(data_holder__name__icontains=word)
                | Q(data_holder__acronym__icontains=word)
            )
        return self.filter(query)


class Base(models.Model):
    """A database of the catalog, copied to the hub's platform once onboarded."""

    class Frequency(models.TextChoices):
        # Codes of the EU "frequency" authority table, so the DCAT export can link to them.
        CONTINUOUS = "CONT", _("Continuously updated")
        DAILY = "DAILY", _("Daily")
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")
        QUARTERLY = "QUARTERLY", _("Quarterly")
        ANNUAL = "ANNUAL", _("Annual")
        IRREGULAR = "IRREG", _("Irregular")
        NEVER = "NEVER", _("No longer updated")

    acronym = models.CharField(_("acronym"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("full name"), max_length=300)
    description = models.TextField(_("description"))
    data_holder = models.ForeignKey(
        DataHolder,
        on_delete=models.PROTECT,
        related_name="bases",
        verbose_name=_("data holder"),
    )
    catalog_reference = models.CharField(
        _("catalog reference"),
        max_length=40,
        blank=True,
        help_text=_("Leave empty while the reference is not yet assigned."),
    )
    population = models.TextField(_("population covered"), blank=True)
    geography = models.CharField(_("geography covered"), max_length=200, blank=True)
    period_start = models.DateField(_("period covered from"), null=True, blank=True)
    period_end = models.DateField(
        _("period covered until"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the base is still fed."),
    )
    update_frequency = models.CharField(
        _("update frequency"), max_length=10, choices=Frequency, blank=True
    )
    access_conditions = models.TextField(_("access conditions"), blank=True)
    documentation_url = models.URLField(_("documentation link"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    scientific_lead = models.CharField(_("scientific lead"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    citation = models.TextField(
        _("how to cite"), blank=True, help_text=_("Wording or DOI to cite in publications.")
    )
    created_at = models.DateTimeField(
        _("added to the catalog"), default=timezone.now, editable=False
    )
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    objects = BaseQuerySet.as_manager()

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("base")
        verbose_name_plural = _("bases")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="base_period_in_order",
                violation_error_message=_("The period cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("catalog:base-detail", kwargs={"slug": self.slug})

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]

    def timeline(self) -> list[dict]:
        """The reached milestones by date, then the missing ones: the base page's timeline.

        Uses the prefetched milestones when the view prefetched them.
        """
        return sorted(self.progress(), key=_reached_first_by_date)

    def progress(self) -> list[dict]:
        """The four milestones in their usual onboarding order, reached or not."""
        reached = {milestone.kind: milestone for milestone in self.milestones.all()}
        return [
            {"kind": kind, "label": label, "milestone": reached.get(kind)}
            for kind, label in Milestone.Kind.choices
        ]


def _reached_first_by_date(step: dict) -> tuple:
    milestone = step["milestone"]
    return (milestone is None, milestone.reached_on if milestone else None)


class MilestoneQuerySet(models.QuerySet):
    def counts_by_kind(self) -> dict[str, int]:
        """How many bases reached each kind of milestone; every kind present, zero included."""
        counts = dict.fromkeys(Milestone.Kind.values, 0)
        for row in self.values("kind").annotate(total=models.Count("base", distinct=True)):
            counts[row["kind"]] = row["total"]
        return counts

    def reached_in(self, year: int) -> "MilestoneQuerySet":
        return self.filter(reached_on__year=year)

    def summary(self) -> list[dict]:
        """Each milestone kind in onboarding order with the number of bases that reached it."""
        counts = self.counts_by_kind()
        return [
            {"kind": kind, "label": label, "count": counts[kind]}
            for kind, label in Milestone.Kind.choices
        ]


class Milestone(models.Model):
    """A dated step of a base's onboarding; a base reaches each kind at most once."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Contract signed")
        DOCUMENTATION = "documentation", _("Documentation")
        PREPARATION = "preparation", _("Data preparation")
        TRANSFER = "transfer", _("Transfer channel")

    base = models.ForeignKey(
        Base, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("base")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    reached_on = models.DateField(_("reached on"))
    note = models.TextField(_("note"), blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["reached_on", "kind"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["base", "kind"],
                name="milestone_once_per_base",
                violation_error_message=_("This base already has a milestone of this kind."),
            )
        ]
        indexes = [models.Index(fields=["kind", "reached_on"])]

    def __str__(self) -> str:
        return f"{self.base}: {self.get_kind_display()} ({self.reached_on:%Y-%m-%d})"


# What a data holder's members may propose to change in its bases' entries; the
# acronym, name, slug, holder and catalog reference stay the hub's.
PROPOSABLE_FIELDS = [
    "description",
    "population",
    "geography",
    "period_start",
    "period_end",
    "update_frequency",
    "access_conditions",
    "documentation_url",
    "keywords",
    "scientific_lead",
    "contact_email",
    "citation",
]


def proposable_field(name: str) -> models.Field:
    field = Base._meta.get_field(name)
    assert isinstance(field, models.Field)  # never a relation: PROPOSABLE_FIELDS
    return field


class BaseProposal(models.Model):
    """Changes to a base's catalog entry and milestone dates, proposed by a member of
    its data holder and published (or declined) by a hub administrator
    (`catalog.proposals`). Every proposal stays, with who and when, whatever becomes
    of it: the history of the changes the holders asked for.

    `changes` and `previous` hold `{"fields": {name: value}, "milestones": {kind:
    "YYYY-MM-DD" or null}}`: the values proposed, and those they replace (as they
    were when proposed, then when published).
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for the hub")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Replaced by a later proposal")

    base = models.ForeignKey(
        Base, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("base")
    )
    changes = models.JSONField(_("changes proposed"))
    previous = models.JSONField(_("values replaced"))
    state = models.CharField(
        _("state"), max_length=12, choices=State, default=State.PROPOSED, editable=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published or declined by"),
    )
    decided_at = models.DateTimeField(_("published or declined at"), null=True, blank=True)
    decision_note = models.TextField(
        _("reason for declining"),
        blank=True,
        help_text=_("Required to decline a proposal: the holder's members read it."),
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("proposed update of a base")
        verbose_name_plural = _("proposed updates of bases")
        constraints = [
            models.UniqueConstraint(
                fields=["base"],
                condition=Q(state="proposed"),
                name="one_proposal_waiting_per_base",
            )
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.proposed_at:%Y-%m-%d} ({self.get_state_display()})"

    def lines(self) -> list[dict]:
        """Each change as {label, before, after}, in the form's order, for the pages."""
        fields, milestones = self.changes.get("fields", {}), self.changes.get("milestones", {})
        before = self.previous
        rows = [
            {
                "label": proposable_field(name).verbose_name,
                "before": _shown(name, before.get("fields", {}).get(name)),
                "after": _shown(name, fields[name]),
            }
            for name in PROPOSABLE_FIELDS
            if name in fields
        ]
        rows += [
            {
                "label": label,
                "before": before.get("milestones", {}).get(kind) or "—",
                "after": milestones[kind] or _("(removed)"),
            }
            for kind, label in Milestone.Kind.choices
            if kind in milestones
        ]
        return rows


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "update_frequency":
        return str(Base.Frequency(value).label)
    return str(value)
