"""The hub's staff steer every application here. The state changes only through the
transition buttons, which call the same service as the sponsor's pages."""

from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.admin_lookups import ImpossibleLookupsAreInvalid, ReadOnlyAdmin
from projects import clocks, holders, results, selectors, services, snapshots
from projects.models import (
    ACTION_LABELS,
    FIRST_YEAR,
    IN_REVIEW,
    LAST_YEAR,
    NEXT_DUE,
    AlgorithmVersion,
    Authorisation,
    DeadlineExtension,
    Decision,
    Event,
    HolderDecision,
    HolderDigest,
    HolderInvitation,
    InternalNote,
    Message,
    Opinion,
    Organisation,
    Programme,
    Project,
    ProjectQuerySet,
    RequestedBase,
    ReviewDeadlines,
    ReviewReminder,
    Status,
    Theme,
)
from projects.review import dashboard
from projects.review.forms import AuthorisationForm, DeliveryForm, TransitionForm

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Not yet verified"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


class ProjectTotal(TypedDict):
    """What `OrganisationAdmin.get_queryset` annotates each organisation with."""

    project_total: int


@admin.register(Organisation)
class OrganisationAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    """Hub administrators verify organisations against their identifier, and may add
    people to them; members invite their colleagues from the portal."""

    list_display = ["name", "identifier_display", "verified", "project_count", "created_at"]
    list_filter = [VerifiedFilter, "identifier_kind"]
    search_fields = ["name", "identifier"]
    autocomplete_fields = ["members"]
    fields = [
        "name",
        "identifier_kind",
        "identifier",
        "verified_at",
        "verified_by",
        "created_by",
        "members",
    ]
    readonly_fields = ["verified_at", "verified_by", "created_by"]
    actions = ["verify"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_total=Count("projects"))

    def get_readonly_fields(self, request, obj=None):
        # Once verified, the identifier that was checked no longer changes.
        if obj is not None and obj.is_verified:
            return [*self.readonly_fields, "identifier_kind", "identifier"]
        return self.readonly_fields

    def has_verify_permission(self, request) -> bool:
        return services.may_verify_organisations(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            services.organisation_projects_changed(organisation=obj)

    @admin.display(description=_("projects"), ordering="project_total")
    def project_count(self, organisation: "WithAnnotations[Organisation, ProjectTotal]") -> int:
        return organisation.project_total

    @admin.display(description=_("identifier"), ordering="identifier")
    def identifier_display(self, organisation: Organisation) -> str:
        if not organisation.identifier:
            return "—"
        return f"{organisation.get_identifier_kind_display()} {organisation.identifier}"

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def verified(self, organisation: Organisation) -> bool:
        return organisation.is_verified

    @admin.action(
        description=_("Verify the selected organisations (identifier checked)"),
        permissions=["verify"],
    )
    def verify(self, request, queryset):
        verified = 0
        for organisation in queryset:
            try:
                services.organisation_verify(organisation=organisation, actor=request.user)
            except services.OrganisationError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                verified += 1
        if verified:
            self.message_user(
                request,
                _("%(count)d organisation(s) verified.") % {"count": verified},
                messages.SUCCESS,
            )


class SubmittedYearFilter(admin.SimpleListFilter):
    title = _("year of submission")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Project.objects.public().dates("submitted_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        """Filters by a plausible year; anything else (`?year=99999`, which the database
        date range cannot hold, `?year=0`, `?year=abc`) is ignored with a message."""
        value = self.value()
        if value is None:
            return queryset
        try:
            year = int(value)
        except ValueError:
            year = None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            messages.warning(
                request,
                _("“%(value)s” is not a year of submission: that filter is ignored.")
                % {"value": value},
            )
            return queryset
        return queryset.filter(submitted_on__year=year)


# Files in review first, then the others (launched, closed): the change list's order.
OPEN_FIRST = Case(
    When(status__in=IN_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField()
)

# The reviewers' queues (`selectors.queues` holds their conditions).
QUEUE_LABELS = {
    "mine": _("Mine"),
    "unassigned": _("Unassigned"),
    "answered": _("Sponsor answered, unread"),
    "holders": _("Waiting for data holders"),
    "overdue": _("Overdue"),
}


class QueueFilter(admin.SimpleListFilter):
    """A reviewer's day starts here: their files, the files nobody has taken, the
    answers they have not read, the approvals held up by a data holder."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        counts = selectors.queue_counts(model_admin.get_queryset(request), request.user)
        return [
            (name, f"{label} ({counts[name]})")
            for name, label in QUEUE_LABELS.items()
            if name in counts
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        condition = selectors.queues(request.user).get(value)
        if condition is None:
            messages.warning(
                request, _("“%(value)s” is not a queue: that filter is ignored.") % {"value": value}
            )
            return queryset
        return queryset.filter(condition)


class OpinionInline(admin.StackedInline):
    model = Opinion
    extra = 0
    max_num = 1
    can_delete = False


class AuthorisationInline(admin.StackedInline):
    """The evidence an approval needs: a CNIL decision (DR-YYYY-NNN and its date) or a
    reference methodology declared, checked by the model's validation."""

    model = Authorisation
    form = AuthorisationForm
    extra = 0
    max_num = 1
    can_delete = False


class RequestedBaseInline(admin.TabularInline):
    """The data holders' decisions, base by base; what was requested stays as submitted.

    Holders with an account decide on their pages; here the staff record a decision
    for a holder that has none, through the same services (`record_for_holder`), and
    set aside a base its holder refused."""

    model = RequestedBase
    extra = 0
    can_delete = False
    fields = [
        "base",
        "period_start",
        "period_end",
        "decision",
        "decided_on",
        "decision_note",
        "delivered_on",
        "set_aside",
    ]
    readonly_fields = ["base", "period_start", "period_end"]
    verbose_name_plural = _("data holders' decisions")

    def has_add_permission(self, request, obj=None):
        return False


class AppendOnlyInline(admin.StackedInline):
    """Existing entries are read-only; new ones are added through `save_formset`."""

    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class InternalNoteInline(AppendOnlyInline):
    model = InternalNote
    fields = ["body", "author", "written_at"]
    readonly_fields = ["author", "written_at"]
    verbose_name_plural = _("internal notes (never shown to the sponsor)")


class MessageInline(AppendOnlyInline):
    """Writes to the sponsor team; the thread itself is drawn above the form (with what
    is new since the reader's last visit), so the inline lists no existing message."""

    model = Message
    fields = ["body"]
    extra = 1
    template = "admin/projects/project/thread_inline.html"
    verbose_name = _("message to the sponsor team")
    verbose_name_plural = _("messages with the sponsor team (a new one is emailed to them)")

    def get_queryset(self, request):
        return super().get_queryset(request).none()


CONTENT_FIELDS = (
    "title",
    "summary",
    "purpose",
    "methodology",
    "expected_results",
    "sponsor",
    "theme_list",
    "programme",
    "planned_start",
    "duration_months",
    "funding",
    "data_processor",
    # A data request's own field, then what the EHDS asks of a data access application:
    # `snapshots.SECTIONS` says which kind holds which (`ProjectAdmin.get_fieldsets`).
    "statistics_wanted",
    *snapshots.EHDS_FIELDS,
)
KEY_DATES = ("submitted_on", "opinion_on", "authorised_on", "launched_on", "completed_on")


@admin.register(Project)
class ProjectAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    # Narrow columns, truncated texts: the list fits a 1280 px screen beside its filters
    # (a browser test measures it).
    list_display = [
        "reference",
        "short_title",
        "short_sponsor",
        "status",
        "reviewer_name",
        "unread_marker",
        "days_left",
    ]
    list_filter = [
        QueueFilter,
        "status",
        "kind",
        "themes",
        ("requested_bases__base", admin.RelatedOnlyFieldListFilter),
        "programme",
        SubmittedYearFilter,
        ("reviewer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["sponsor", "reviewer"]
    search_fields = ["reference", "title", "sponsor__name"]
    fieldsets = [
        (None, {"fields": ["reference", "kind", "status", "reviewer"]}),
        (_("The application, as it stands"), {"fields": CONTENT_FIELDS}),
        (_("Key dates"), {"fields": KEY_DATES}),
    ]
    readonly_fields = [
        "reference",
        "kind",
        "status",
        "theme_list",
        *CONTENT_FIELDS[:6],
        *KEY_DATES,
    ]
    inlines = [
        RequestedBaseInline,
        OpinionInline,
        AuthorisationInline,
        MessageInline,
        InternalNoteInline,
    ]
    change_form_template = "admin/projects/project/change_form.html"

    def get_fieldsets(self, request, obj=None):
        """The application's content as its kind holds it (a data request has neither
        methodology nor the EHDS fields of an access application)."""
        if obj is None:
            return self.fieldsets
        held = {*snapshots.fields_of(obj.kind), "theme_list"}
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f in held]})
            if options["fields"] is CONTENT_FIELDS
            else (title, options)
            for title, options in self.fieldsets
        ]

    def get_inlines(self, request, obj):
        """A data request has no opinion, no authorisation and no data holder's
        decision to record: the hub answers it with statistics (`deliver_view`)."""
        if obj is not None and obj.is_data_request:
            return [MessageInline, InternalNoteInline]
        return self.inlines

    def get_readonly_fields(self, request, obj=None):
        # Staff record the review; the application's content belongs to the sponsor.
        # Only the review groups put someone in charge (the service checks it too).
        fields = [*self.readonly_fields, *CONTENT_FIELDS]
        if not services.may_review(request.user):
            fields.append("reviewer")
        return [*dict.fromkeys(fields)]

    def get_queryset(self, request):
        # The admin reads through `Project.objects`, so its queryset is a ProjectQuerySet.
        projects = cast(ProjectQuerySet, super().get_queryset(request)).public()
        return selectors.with_unread(projects, request.user)

    def get_ordering(self, request):
        """Files in review first (then launched, then closed); among them, the one the
        hub must answer soonest first (overdue ones at the top), then those whose clock
        is paused or stopped, longest waiting in their state first."""
        return [OPEN_FIRST.asc(), NEXT_DUE.asc(nulls_last=True), "status_changed_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    class Media:
        css = {"all": ["css/review.css"]}

    @admin.display(description=_("days left"), ordering=NEXT_DUE.asc(nulls_last=True))
    def days_left(self, project: Project) -> str:
        """From the stored due dates, never a query per row: the nearer of the
        stage's and the decision's, highlighted when due soon or overdue."""
        if project.clock_paused_on:
            return format_html(
                '<span class="clock clock-paused" title="{}">{}</span>',
                _("Waiting for the sponsor since %(date)s")
                % {"date": date_format(project.clock_paused_on, "SHORT_DATE_FORMAT")},
                _("paused"),
            )
        due = project.due_on
        if due is None:
            return "—"
        return _clock_badge(due, clocks.hub_today())

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, project: Project) -> str:
        return _truncated(project.title, 60)

    @admin.display(description=_("sponsor"), ordering="sponsor__name")
    def short_sponsor(self, project: Project) -> str:
        return _truncated(project.sponsor.name if project.sponsor else "", 28)

    @admin.display(description=_("reviewer"), ordering="reviewer__first_name")
    def reviewer_name(self, project: Project) -> str:
        reviewer = project.reviewer
        if reviewer is None:
            return "—"
        return reviewer.first_name or reviewer.email.split("@")[0]

    @admin.display(description=_("unread"), ordering="-unread", empty_value="")
    def unread_marker(self, project: Project) -> str:
        if not getattr(project, "unread", False):
            return ""
        return format_html(
            '<strong class="unread" title="{}">{}</strong>',
            _("The sponsor team wrote or resubmitted since you last opened this file."),
            _("new"),
        )

    @admin.display(description=_("themes"))
    def theme_list(self, project: Project) -> str:
        return ", ".join(theme.name for theme in project.themes.all()) or "—"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A change the review service refuses (`TransitionError`, raised by
        `save_model`) is an error message on the same page, not a 500.

        The admin saves the object, its inlines and its log entry in one transaction
        (`ModelAdmin.changeform_view`); the error leaves that transaction, so nothing
        of the form is saved, before it is caught here.
        """
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if "reviewer" in form.changed_data:
            services.project_assign(
                project=obj, reviewer=form.cleaned_data["reviewer"], actor=request.user
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is Message:
            for message in formset.save(commit=False):
                posted = services.message_post(
                    project=form.instance, author=request.user, body=message.body
                )
                # The admin's change message describes the formset's objects: point it
                # at the message the service saved.
                message.pk, message.author = posted.pk, posted.author
        elif formset.model is RequestedBase:
            # Saves nothing itself; tells the admin's log what changed.
            formset.save(commit=False)
            for requested, changed in formset.changed_objects:
                record_for_holder(requested=requested, changed=changed, actor=request.user)
        elif formset.model is InternalNote:
            for note in formset.save(commit=False):
                note.author = request.user
                note.save()
        else:
            formset.save()
            if formset.model in (Opinion, Authorisation) and formset.has_changed():
                # The public page shows the opinion and the authorisation's reference
                # (the list, whether it is on record); the data holders' decisions
                # are not public.
                services.public_data_changed()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<path:object_id>/deliver/",
                self.admin_site.admin_view(self.deliver_view),
                name="{}_{}_deliver".format(*info),
            ),
            path(
                "<path:object_id>/extend/",
                self.admin_site.admin_view(self.extend_view),
                name="{}_{}_extend".format(*info),
            ),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="{}_{}_dashboard".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        # The list and its filters take the whole width of a 1280 px screen: the
        # admin's navigation sidebar is left out here (the breadcrumbs stay).
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Everything needed to decide, on one page; opening it (GET) marks the thread
        read for this staff member, after noting what is new since their last visit."""
        project = self.get_object(request, unquote(object_id))
        extra = {}
        if project is not None:
            last_read_at = selectors.last_read_at(project, request.user)
            if request.method == "GET":
                services.thread_mark_read(project=project, reader=request.user)
            versions = list(project.versions.all())
            extra = {
                "transitions": _transition_forms(project, request.user),
                "events": selectors.events_for_staff(project),
                "versions": versions,
                "version": versions[-1] if versions else None,
                "attachments": project.attachments.all(),
                "outputs": project.outputs.all(),
                "algorithm_versions": AlgorithmVersion.objects.filter(
                    algorithm__project=project
                ).select_related("algorithm"),
                "results_due_on": results.due_on(project.completed_on),
                **_clock_context(project, request.user),
                "requested_bases": project.requested_bases.select_related("base"),
                "opinion": project.opinion_on_record,
                "authorisation": project.authorisation_on_record,
                "deliveries": project.deliveries.select_related("delivered_by"),
                "may_deliver": _may_deliver(project, request.user),
                "thread": selectors.thread(project),
                "last_read_at": last_read_at,
                "unread": getattr(project, "unread", False),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:projects_project_change", args=[object_id]))
        if not request.user.has_perm("projects.transition_project"):
            raise PermissionDenied
        project = self.get_object(request, unquote(object_id))
        if project is None:
            return self._no_such_project(request, object_id)
        form = TransitionForm(request.POST, project=project, to=request.POST.get("to", ""))
        if not form.is_valid():
            self.message_user(request, form.errors_as_text(), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:projects_project_change", args=[object_id]))
        try:
            project = services.project_transition(
                project=project,
                actor=request.user,
                to=form.target,
                reason=form.cleaned_data["reason"],
                seen=form.cleaned_data["seen"] or None,
                ground=form.cleaned_data.get("ground", ""),
            )
        except (services.TransitionError, ValueError) as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                _("The project is now “%(state)s”.") % {"state": project.get_status_display()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:projects_project_change", args=[object_id]))

    def _no_such_project(self, request, object_id):
        """An unknown or malformed id (`abc/transition/`): back to the list, with a word."""
        self.message_user(
            request,
            _("There is no project with the id “%(id)s”.") % {"id": object_id},
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:projects_project_changelist"))

    def deliver_view(self, request, object_id):
        """Delivers the statistics of a data request in progress: a file checked by its
        content and a note (`services.statistics_deliver`). A refused file is shown
        again with its error, never a 500; nothing is stored then."""
        if not services.may_review(request.user):
            raise PermissionDenied
        project = self.get_object(request, unquote(object_id))
        if project is None:
            return self._no_such_project(request, object_id)
        change = reverse("admin:projects_project_change", args=[project.pk])
        if not _may_deliver(project, request.user):
            self.message_user(
                request,
                _("Statistics are delivered for a data request in progress only."),
                messages.ERROR,
            )
            return HttpResponseRedirect(change)
        form = DeliveryForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                delivery = services.statistics_deliver(
                    project=project,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    content_type=form.content_type,
                    note=form.cleaned_data["note"],
                )
            except services.TransitionError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Delivered: %(name)s. The team is emailed; close the request when done.")
                    % {"name": delivery.original_name},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(f"{change}#statistics")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deliver the statistics"),
            "opts": self.opts,
            "original": project,
            "form": form,
            "deliveries": project.deliveries.select_related("delivered_by"),
        }
        return TemplateResponse(request, "admin/projects/project/deliver.html", context)

    def extend_view(self, request, object_id):
        """Extends a deadline of the file once, with a reason (`services.deadline_extend`)."""
        change = reverse("admin:projects_project_change", args=[object_id])
        if request.method != "POST":
            return HttpResponseRedirect(change)
        if not request.user.has_perm("projects.transition_project"):
            raise PermissionDenied
        project = self.get_object(request, unquote(object_id))
        if project is None:
            return self._no_such_project(request, object_id)
        try:
            extension = services.deadline_extend(
                project=project,
                actor=request.user,
                clock=request.POST.get("clock", ""),
                reason=request.POST.get("reason", ""),
            )
        except services.TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                ngettext(
                    "The %(deadline)s is extended by %(months)d month; the sponsor team is told.",
                    "The %(deadline)s is extended by %(months)d months; the sponsor team is told.",
                    extension.months,
                )
                % {"deadline": extension.get_clock_display(), "months": extension.months},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change)

    def dashboard_view(self, request):
        """The review's figures, for the staff who may review (the admin index links
        here for them only); other staff are refused."""
        if not services.may_review(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review dashboard"),
            "opts": self.opts,
            # Twelve months of figures take the whole width, as the change list does.
            "is_nav_sidebar_enabled": False,
            "states": dashboard.count_by_state(),
            "stages": dashboard.stage_headings(),
            **dashboard.cached_processing_by_month(),
        }
        return TemplateResponse(request, "admin/projects/dashboard.html", context)


DECISION_FIELDS = {"decision", "decided_on", "decision_note", "delivered_on"}


def record_for_holder(*, requested: RequestedBase, changed: list[str], actor) -> None:
    """What a reviewer changed on a requested base, through the holders' services: a
    decision (or its revision) or a delivery recorded for the holder, and the base set
    aside. A refusal raises `TransitionError`, which the change page shows."""
    if DECISION_FIELDS & set(changed):
        if requested.decision == Decision.DELIVERED:
            if requested.delivered_on is None:
                raise services.TransitionError(_("Give the date the data was delivered."))
            holders.requested_base_deliver(
                requested=requested, actor=actor, delivered_on=requested.delivered_on
            )
        else:
            holders.requested_base_decide(
                requested=requested,
                actor=actor,
                decision=requested.decision,
                note=requested.decision_note,
                decided_on=requested.decided_on,
            )
    if "set_aside" in changed:
        if not requested.set_aside:
            raise services.TransitionError(
                _("A base set aside comes back with a new decision of its holder.")
            )
        holders.requested_base_set_aside(requested=requested, actor=actor)


def _clock_badge(due, today) -> str:
    days = (due - today).days
    if days < 0:
        css = "clock-overdue"
        text = ngettext("%(days)d day late", "%(days)d days late", -days) % {"days": -days}
    elif days == 0:
        css, text = "clock-due-soon", str(_("due today"))
    else:
        css = "clock-due-soon" if days <= clocks.DUE_SOON_DAYS else "clock-on-time"
        text = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    return format_html(
        '<span class="clock {}" title="{}">{}</span>',
        css,
        _("due on %(date)s") % {"date": date_format(due, "SHORT_DATE_FORMAT")},
        text,
    )


def _clock_context(project: Project, user) -> dict:
    """The clock panel of the change page: computed from the audit trail, and the
    extensions this user may grant now."""
    clock = project.review_clock()
    extensions = list(project.extensions.select_related("granted_by"))
    extendable = []
    if services.may_review(user):
        done = {extension.clock for extension in extensions}
        settings = ReviewDeadlines.load()
        if clock.stage == clocks.Stage.AUTHORISATION and clocks.AUTHORISATION_CLOCK not in done:
            extendable.append(
                (
                    DeadlineExtension.Clock.AUTHORISATION,
                    settings.authorisation_extension_months,
                )
            )
        if clock.decision_running and clocks.DECISION_CLOCK not in done:
            extendable.append(
                (DeadlineExtension.Clock.DECISION, settings.decision_extension_months)
            )
    return {
        "clock": clock,
        "clock_stage": project.stage_label(clock.stage),
        "clock_stage_badge": clock.stage_due_on and _clock_badge(clock.stage_due_on, clock.today),
        "clock_decision_badge": clock.decision_due_on
        and _clock_badge(clock.decision_due_on, clock.today),
        "clock_extensions": extensions,
        "clock_extendable": [
            {"value": choice.value, "label": choice.label, "months": months}
            for choice, months in extendable
        ],
    }


@admin.register(ReviewDeadlines)
class ReviewDeadlinesAdmin(admin.ModelAdmin):
    """The one row of the hub's deadlines; only hub administrators change it
    (permission `change_reviewdeadlines`), and saving recomputes every open file."""

    fieldsets = [
        (
            _("Each stage"),
            {
                "fields": [
                    "admissibility_days",
                    "opinion_months",
                    "authorisation_months",
                    "authorisation_extension_months",
                ],
                "description": _(
                    "Calendar days or months from the day the file enters the stage. While "
                    "the hub waits for the sponsor (changes requested) the clocks stop; at "
                    "resubmission they go on with the time left."
                ),
            },
        ),
        (
            _("Overall decision (EHDS regulation, art. 68)"),
            {"fields": ["decision_months", "decision_extension_months"]},
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one row: the list opens it."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        deadlines = ReviewDeadlines.load()
        return HttpResponseRedirect(
            reverse("admin:projects_reviewdeadlines_change", args=[deadlines.pk])
        )

    def save_model(self, request, obj, form, change):
        moved = services.review_deadlines_save(deadlines=obj, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "The due dates of %(count)d open file moved.",
                "The due dates of %(count)d open files moved.",
                moved,
            )
            % {"count": moved},
            messages.INFO,
        )


def _may_deliver(project: Project, user) -> bool:
    """Whether the page offers to deliver statistics: a data request in progress, to
    the hub's reviewers (the service checks it again)."""
    return (
        project.is_data_request
        and project.status == Status.IN_PROGRESS
        and services.may_review(user)
    )


def _transition_forms(project: Project, user) -> list[TransitionForm]:
    """One form per move this user may make now, each with the fields it needs."""
    if not user.has_perm("projects.transition_project"):
        return []
    return [
        TransitionForm(project=project, to=to)
        for to in services.allowed_transitions(project=project, user=user)
    ]


def _truncated(text: str, length: int) -> str:
    """The text cut to `length` characters, whole in a tooltip."""
    if len(text) <= length:
        return text or "—"
    return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(length))


class ActionFilter(admin.SimpleListFilter):
    """The events' actions by their names, never their codes (`changes_requested`)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(ACTION_LABELS.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The audit trail: readable, never written by hand, not even by a superuser."""

    list_display = [
        "at",
        "project",
        "action_name",
        "from_status",
        "to_status",
        "actor",
        "visibility",
    ]
    list_filter = [ActionFilter, "ground", "visibility", "to_status"]
    # The action by its name, never its code (`changes_requested`).
    fields = readonly_fields = (
        "at",
        "project",
        "action_name",
        "from_status",
        "to_status",
        "reason",
        "ground",
        "actor",
        "visibility",
    )
    # The latest first: what staff look for in the trail is what just happened.
    ordering = ["-at", "-pk"]
    list_select_related = ["project", "actor"]
    search_fields = ["project__reference", "project__title", "reason"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, event: Event) -> str:
        return event.label


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    """Extensions are granted from the project's change page (`services.deadline_extend`)."""

    list_display = ["granted_at", "project", "clock", "months", "granted_by"]
    list_filter = ["clock"]
    list_select_related = ["project", "granted_by"]
    search_fields = ["project__reference", "project__title", "reason"]


@admin.register(ReviewReminder)
class ReviewReminderAdmin(ReadOnlyAdmin):
    """What the daily reminder (`manage.py send_review_reminders`) sent, file by file."""

    list_display = ["sent_on", "project", "recipients"]
    list_select_related = ["project"]
    search_fields = ["project__reference", "recipients"]
    date_hierarchy = "sent_on"


@admin.register(HolderDecision)
class HolderDecisionAdmin(ReadOnlyAdmin):
    """Every decision of the data holders, revision and delivery, as recorded by their
    members or by the hub for them (`projects.holders`)."""

    list_display = ["recorded_at", "project", "base", "decision", "recorded_by", "by_the_hub"]
    list_filter = ["decision", "by_the_hub", ("base", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["project", "base", "recorded_by"]
    search_fields = ["project__reference", "project__title", "base__acronym", "note"]
    date_hierarchy = "recorded_at"


@admin.register(HolderInvitation)
class HolderInvitationAdmin(ImpossibleLookupsAreInvalid, admin.ModelAdmin):
    """A hub administrator invites someone to act for a data holder: the email leaves
    as a member's invitation would (`holders.holder_invite`). Sent, an invitation is
    only read."""

    list_display = ["created_at", "email", "holder", "invited_by", "accepted_at"]
    list_filter = [("holder", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["holder", "invited_by"]
    search_fields = ["email", "holder__name", "holder__acronym"]
    autocomplete_fields = ["holder"]
    fields = ["holder", "email"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """A refusal of the service (already a member) is a message, not a 500."""
        try:
            return super().add_view(request, form_url, extra_context)
        except holders.HolderError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        sent = holders.holder_invite(
            holder=obj.holder, actor=request.user, email=obj.email, request=request
        )
        obj.pk, obj.email, obj.invited_by = sent.pk, sent.email, sent.invited_by


@admin.register(HolderDigest)
class HolderDigestAdmin(ReadOnlyAdmin):
    """What the data holders' weekly digest (`manage.py send_holder_digests`) sent."""

    list_display = ["week_of", "user", "requests", "sent_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "week_of"
