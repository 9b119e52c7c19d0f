"""The sponsor's side: their projects, the application form, versions, thread and team."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from projects import clocks, results, selectors, services, snapshots
from projects.models import Attachment, Delivery, Project, ProjectVersion, Status
from projects.sponsor.auth import login_required_keeping_post, pop_pending_post
from projects.sponsor.forms import (
    NEW_SPONSOR_FIELDS,
    AttachmentForm,
    InvitationForm,
    MessageForm,
    NewAccountForm,
    ProjectForm,
    ReasonForm,
    RequestedBaseFormSet,
    requested_base_row,
)


def _get_project_for_member(user, pk: int) -> Project:
    """The project if the user is on its team; a 404 otherwise, never a 403."""
    return get_object_or_404(Project.objects.for_member(user), pk=pk)


def _get_project_for_viewer(user, pk: int) -> Project:
    """Like `_get_project_for_member`, but the hub's reviewers may also read an
    application submitted at least once (`selectors.projects_readable_by`)."""
    return get_object_or_404(selectors.projects_readable_by(user), pk=pk)


@login_required
def my_projects(request):
    projects = selectors.projects_of(request.user)
    return render(request, "projects/my_projects.html", {"projects": projects})


@login_required_keeping_post
def project_new(request):
    """A new application of the kind chosen (`?kind=request` from "My projects", then
    the form's hidden field): a data access application unless a data request is
    asked for. The kind never changes afterwards."""
    kind = request.POST.get("kind") or request.GET.get("kind") or Project.Kind.ACCESS
    if kind not in Project.Kind.values:
        raise Http404
    return _edit(request, project=None, kind=kind)


@login_required_keeping_post
def project_edit(request, pk: int):
    project = _get_project_for_member(request.user, pk)
    if not project.is_editable:
        messages.info(request, _("This application is with the hub and cannot be edited now."))
        return redirect(project)
    return _edit(request, project=project)


@login_required
def base_row(request):
    """One more empty row of the requested bases, for "Add a base" (htmx): at the index
    the page's formset counts up to, which it then counts one more."""
    try:
        index = int(request.GET.get("bases-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < RequestedBaseFormSet.max_num:
        return HttpResponseBadRequest(_("No such line of the requested bases."))
    return render(
        request,
        "projects/includes/base_row_added.html",
        {"base_form": requested_base_row(index), "index": index, "total": index + 1},
    )


def _edit(request, *, project: Project | None, kind: str = Project.Kind.ACCESS):
    """The application form, for a new application of `kind` or an existing one."""
    data = pop_pending_post(request) if request.method == "GET" else None
    if data is not None:
        messages.warning(
            request,
            _("Your session had expired. Your entries are back: check them and save again."),
        )
    elif request.method == "POST":
        data = request.POST
    instance = project or Project(kind=kind)
    initial = {"edit_version": instance.edit_version}
    form = ProjectForm(data, instance=instance, user=request.user, initial=initial)
    formset = RequestedBaseFormSet(data, instance=instance, prefix="bases")
    # A data request carries no files: the hub produces its statistics itself.
    with_files = "attachments" in snapshots.fields_of(instance.kind)
    files = AttachmentForm(data, request.FILES if request.method == "POST" else None)
    files_valid = not with_files or files.is_valid()
    conflict = None
    problems: dict[str, list[str]] = {}

    if request.method == "POST":
        if with_files and files_valid and project is not None:
            services.attachments_add(project=project, actor=request.user, uploads=files.uploads())
        if form.is_valid() and formset.is_valid() and files_valid:
            try:
                project = _save(
                    request,
                    form=form,
                    formset=formset,
                    uploads=files.uploads() if with_files else [],
                    project=project,
                )
            except services.EditConflict:
                assert project is not None  # `_save` never refuses a new application
                conflict = Project.objects.get(pk=project.pk)
                messages.error(
                    request,
                    _(
                        "Someone else on your team saved this application while you were "
                        "editing it. Nothing of yours was saved: your text is still below. "
                        "Compare it with the current version, then save again."
                    ),
                )
            except services.OrganisationError as error:
                # Registered by someone else between the check and the save.
                form.add_error("new_sponsor", str(error))
                messages.error(request, _("Please correct the errors below."))
            except services.TransitionError as error:
                assert project is not None  # a new application is a draft, always editable
                messages.error(request, str(error))
                return redirect(project)
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("Draft saved."))
                    url = reverse("my:project-edit", kwargs={"pk": project.pk})
                    # Without JavaScript, "Add a base" saves and comes back to the bases,
                    # with an empty line for one more.
                    return redirect(f"{url}#section-bases" if "add_base" in request.POST else url)
                problems = snapshots.submission_problems(project)
                if not problems:
                    return _submit(request, project)
                messages.warning(
                    request,
                    _("Your draft is saved. To submit it, complete what is listed below."),
                )
                form = _rebound_after_save(request, project)
                formset = RequestedBaseFormSet(instance=project, prefix="bases")
                for field, field_problems in problems.items():
                    if field in form.fields:
                        for problem in field_problems:
                            form.add_error(field, problem)
        elif project is None and request.FILES:
            messages.warning(
                request, _("Please correct the errors below, then choose your files again.")
            )
        else:
            messages.error(request, _("Please correct the errors below."))

    states = snapshots.section_states(
        instance.kind, _saved_problems(project, problems, unchanged=data is None)
    )
    return render(
        request,
        "projects/project_form.html",
        {
            "project": project,
            "attachments": list(project.attachments.all()) if project else [],
            "kind": instance.kind,
            "form": form,
            "sections": form.sections(states),
            "formset": formset,
            "files": files if with_files else None,
            "problems": problems,
            "problem_links": [
                (form.anchor(field), problem)
                for field, field_problems in problems.items()
                for problem in field_problems
            ],
            "required": snapshots.required_of(instance),
            "conflict": conflict,
            "hub_request": selectors.pending_request_for_changes(project),
        },
    )


def _saved_problems(project: Project | None, problems: dict, *, unchanged: bool) -> dict | None:
    """What the saved application still lacks, which the section menu shows: the
    submission's problems when just checked, else those of the application as saved
    (never of the entries on the page, which may not be saved: a form that did not
    validate has written them on `project`, read again unless `unchanged`); `None`
    for a new one."""
    if problems:
        return problems
    if project is None or project.pk is None:
        return None
    return snapshots.submission_problems(
        project if unchanged else Project.objects.get(pk=project.pk)
    )


def _rebound_after_save(request, project: Project) -> ProjectForm:
    """The form as just saved, bound again so that the submission's problems can be
    attached to its fields, and carrying the new edit version."""
    data = request.POST.copy()
    data["edit_version"] = str(project.edit_version)
    data["sponsor"] = str(project.sponsor_id or "")
    for name in NEW_SPONSOR_FIELDS:
        data[name] = ""
    form = ProjectForm(data, instance=project, user=request.user)
    form.is_valid()
    return form


def _save(request, *, form, formset, uploads, project: Project | None) -> Project:
    """Saves the application; only an existing one checks the version its form was
    loaded at: a new one has no earlier save to conflict with, whatever is posted."""
    expected_version = form.cleaned_data["edit_version"]
    with transaction.atomic():
        if form.new_organisation:
            form.instance.sponsor = services.organisation_create(
                creator=request.user, **form.new_organisation
            )
        if project is None:
            project = services.project_create(owner=request.user, project=form.instance)
            services.attachments_add(project=project, actor=request.user, uploads=uploads)
            expected_version = project.edit_version

        def write() -> None:
            form.save()
            formset.save()

        return services.project_save_content(
            project=project, expected_version=expected_version, save=write
        )


def _submit(request, project: Project):
    try:
        project = services.project_submit(project=project, actor=request.user)
    except services.TransitionError as error:
        messages.error(request, str(error))
        return redirect("my:project-edit", pk=project.pk)
    messages.success(
        request,
        _("Your application is submitted under the reference %(reference)s.")
        % {"reference": project.reference},
    )
    return redirect(project)


@login_required
def project_detail(request, pk: int):
    project = get_object_or_404(
        selectors.with_content(selectors.projects_readable_by(request.user)), pk=pk
    )
    clock = project.review_clock()
    today = clocks.hub_today()
    events = list(selectors.events_for_team(project))
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "may_declare": results.may_declare(project=project, user=request.user),
            "outputs": project.outputs.all(),
            "algorithms": project.algorithms.prefetch_related("versions").select_related("current"),
            "results_due_on": results.due_on(project.completed_on),
            "results_due_months": settings.RESULTS_DUE_MONTHS,
            "results_state": results.state_of(project, today=today),
            "clock": clock,
            "clock_stage": project.stage_label(clock.stage),
            "extensions": project.extensions.all(),
            "events": events,
            "thread": selectors.conversation(project, events),
            "hub_request": selectors.pending_request_for_changes(project),
            "deliveries": project.deliveries.all(),
            "versions": project.versions.all(),
            "rejection": selectors.rejection_of(project),
            "message_form": MessageForm(),
            "invitation_form": InvitationForm(),
            "can_withdraw": Status.WITHDRAWN
            in services.allowed_transitions(project=project, user=request.user),
            "is_owner": services.is_owner(project=project, user=request.user),
            "is_member": services.is_team_member(project=project, user=request.user),
        },
    )


@login_required
def project_withdraw(request, pk: int):
    project = _get_project_for_member(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_transition(
                project=project,
                actor=request.user,
                to=Status.WITHDRAWN,
                reason=form.cleaned_data["reason"],
                seen=request.POST.get("seen"),
            )
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The project is withdrawn."))
        return redirect(project)
    return render(request, "projects/project_withdraw.html", {"project": project, "form": form})


@login_required
@require_POST
def project_duplicate(request, pk: int):
    """A new draft with this application's content, to edit before submitting it."""
    project = _get_project_for_member(request.user, pk)
    copy = services.project_duplicate(project=project, actor=request.user)
    messages.success(
        request,
        _(
            "A new draft with the same content: check it, add the files again, invite "
            "your team, then submit it."
        ),
    )
    return redirect("my:project-edit", pk=copy.pk)


@login_required
@require_POST
def message_post(request, pk: int):
    project = _get_project_for_member(request.user, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        services.message_post(project=project, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Message sent to the hub."))
    else:
        messages.error(request, _("Your message is empty."))
    return redirect(f"{project.get_absolute_url()}#thread")


@login_required
@require_POST
def invitation_send(request, pk: int):
    project = _get_project_for_member(request.user, pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
    else:
        try:
            services.invitation_send(
                project=project,
                actor=request.user,
                email=form.cleaned_data["email"],
                request=request,
            )
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
    return redirect(f"{project.get_absolute_url()}#team")


@login_required
def version_detail(request, pk: int, number: int):
    project = _get_project_for_viewer(request.user, pk)
    version = get_object_or_404(ProjectVersion, project=project, number=number)
    fields = [
        (label, snapshots.as_lines(field, version.content.get(field)))
        for field, label in snapshots.fields_for(version.content)
    ]
    return render(
        request,
        "projects/version_detail.html",
        {"project": project, "version": version, "fields": fields},
    )


@login_required
@cache_control(private=True, no_store=True)
def version_pdf(request, pk: int, number: int):
    """A submitted version as a PDF for the committee: whoever reads the version's
    page (the team, the hub's reviewers and administrators) may download it."""
    project = _get_project_for_viewer(request.user, pk)
    version = get_object_or_404(ProjectVersion, project=project, number=number)
    return _pdf_response(project=project, version=version)


@login_required
@cache_control(private=True, no_store=True)
def project_pdf(request, pk: int):
    """The application's current content as a PDF, a working copy for its team only:
    the committee works from submitted versions (`version_pdf`), never from edits
    the team has not submitted yet."""
    project = _get_project_for_member(request.user, pk)
    return _pdf_response(project=project, version=None)


def _pdf_response(*, project: Project, version: ProjectVersion | None) -> HttpResponse:
    # Imported here: WeasyPrint takes half a second to import and needs Pango, which
    # only the PDF pages use.
    from projects.pdf import application_pdf

    pdf = application_pdf(project=project, version=version)
    return HttpResponse(
        pdf.content,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, pdf.filename)},
    )


@login_required
def version_compare(request, pk: int):
    project = _get_project_for_viewer(request.user, pk)
    versions = {v.number: v for v in project.versions.all()}
    if not versions:
        raise Http404
    numbers = sorted(versions)
    try:
        old, new = versions[int(request.GET["from"])], versions[int(request.GET["to"])]
    except (KeyError, ValueError):
        old, new = versions[numbers[max(len(numbers) - 2, 0)]], versions[numbers[-1]]
    return render(
        request,
        "projects/version_compare.html",
        {
            "project": project,
            "old": old,
            "new": new,
            "versions": sorted(versions.values(), key=lambda v: v.number),
            "diff": snapshots.diff(old.content, new.content),
        },
    )


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    project = _get_project_for_viewer(request.user, pk)
    attachment = get_object_or_404(Attachment, project=project, pk=attachment_id)
    response = _download(
        attachment.file, filename=attachment.download_name, content_type=attachment.content_type
    )
    services.attachment_read(attachment=attachment, reader=request.user)
    return response


@login_required
@cache_control(private=True, no_store=True)
def delivery_download(request, pk: int, delivery_id: int):
    """The statistics the hub delivered for a data request: for its team and the hub's
    reviewers only (`_get_project_for_viewer`); anyone else gets a 404."""
    project = _get_project_for_viewer(request.user, pk)
    delivery = get_object_or_404(Delivery, project=project, pk=delivery_id)
    return _download(
        delivery.file, filename=delivery.original_name, content_type=delivery.content_type
    )


def _download(file, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download; one missing from the store is a 404."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_POST
def attachment_delete(request, pk: int, attachment_id: int):
    project = _get_project_for_member(request.user, pk)
    attachment = get_object_or_404(Attachment, project=project, pk=attachment_id)
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except services.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s removed.") % {"name": attachment.original_name})
    return redirect("my:project-edit", pk=project.pk)


def invitation_accept(request, token: str):
    """Joins the team from the emailed link; creates the account when there is none."""
    invitation = services.invitation_from_token(token)
    if invitation is None:
        messages.error(request, _("This invitation link is invalid, expired or already used."))
        return redirect("home")
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except services.TransitionError as error:
                messages.error(request, str(error))
                return redirect("my:projects")
            messages.success(request, _("You joined the project's team."))
            return redirect(invitation.project)
        return render(request, "projects/invitation_accept.html", {"invitation": invitation})
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Sign in to accept the invitation."))
        return redirect_to_login(request.get_full_path())
    form = NewAccountForm(User(email=invitation.email), request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept_with_new_account(
            invitation=invitation, password=form.cleaned_data["new_password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is created and you joined the project's team."))
        return redirect(invitation.project)
    return render(
        request, "projects/invitation_accept.html", {"invitation": invitation, "form": form}
    )
