"""Emails to the sponsor team, to the hub's staff when the team answers or a data
holder decides, and to the data holders when their bases are requested, sent through
Django's tasks framework.

The immediate backend runs them at once in development and tests; in
production a database-backed worker (`manage.py db_worker`) sends them, so a
slow mail server never slows a transition down. Each member's email is its own
`projects.mail.send_email` task: a failure is retried for that member alone,
and nobody gets the same email twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import HolderMembership
from projects.mail import email_enqueue
from projects.models import (
    AlgorithmVersion,
    Delivery,
    Event,
    HolderDecision,
    Message,
    Project,
    RequestedBase,
    Result,
)

# The group whose members are told when a file has nobody in charge (migration 0003).
REVIEWERS_GROUP = "reviewers"


def email_team(project, template: str, context: dict, members=None) -> int:
    """One email per team member, each in the member's own language. `members`: the
    team with its users, when the caller has them already."""
    queued = 0
    if members is None:
        members = project.team.select_related("user")
    for member in members:
        user = member.user
        with translation.override(user.language):
            full = {**context, "project": project, "user": user, "site_url": settings.SITE_URL}
            subject = render_to_string(f"emails/{template}_subject.txt", full).strip()
            body = render_to_string(f"emails/{template}_body.txt", full)
        email_enqueue(subject=subject, body=body, to=[user.email])
        queued += 1
    return queued


@task()
def notify_event(event_id: int) -> int:
    event = Event.objects.select_related("project").get(pk=event_id)
    if event.visibility == Event.Visibility.STAFF:
        return 0
    context: dict = {"event": event}
    if event.action.endswith("_deadline_extended"):
        # The sponsor is told the new date along with the reason.
        context["clock"] = event.project.review_clock()
    return email_team(event.project, "event", context)


@task()
def notify_message(message_id: int) -> int:
    message = Message.objects.select_related("project").get(pk=message_id)
    return email_team(message.project, "message", {"message": message})


def staff_to_notify(project: Project) -> list:
    """Who hears that the sponsor team answered: the reviewer in charge; when there is
    none (or they left the review: inactive, or no longer allowed to review), every
    active member of the `reviewers` group, so that an unassigned file is never
    answered into the void."""
    reviewer = project.reviewer
    if (
        reviewer is not None
        and reviewer.is_active
        and reviewer.is_staff
        and reviewer.has_perm("projects.transition_project")
    ):
        return [reviewer]
    return list(
        get_user_model()
        .objects.filter(groups__name=REVIEWERS_GROUP, is_active=True, is_staff=True)
        .order_by("email")
        .distinct()
    )


def _email_staff(project: Project, template: str, context: dict, *, besides=None) -> int:
    """One email per staff member, in their own language, linking to the change page;
    never to `besides`, who did what the email tells."""
    url = settings.SITE_URL + reverse("admin:projects_project_change", args=[project.pk])
    recipients = staff_to_notify(project)
    to_every_reviewer = recipients != [project.reviewer]
    queued = 0
    for user in recipients:
        if user == besides:
            continue
        with translation.override(user.language):
            full = {
                **context,
                "project": project,
                "user": user,
                "admin_url": url,
                "to_every_reviewer": to_every_reviewer,
            }
            subject = render_to_string(f"emails/{template}_subject.txt", full).strip()
            body = render_to_string(f"emails/{template}_body.txt", full)
        email_enqueue(subject=subject, body=body, to=[user.email])
        queued += 1
    return queued


@task()
def notify_staff_of_event(event_id: int) -> int:
    """The team resubmitted: the staff in charge are told."""
    event = Event.objects.select_related("project__reviewer", "actor").get(pk=event_id)
    return _email_staff(event.project, "staff_event", {"event": event})


@task()
def notify_staff_of_message(message_id: int) -> int:
    """The team wrote in the thread: the staff in charge are told."""
    message = Message.objects.select_related("project__reviewer", "author").get(pk=message_id)
    return _email_staff(message.project, "staff_message", {"message": message})


@task()
def notify_holder_decision(decision_id: int) -> int:
    """A data holder decided on a base (or the hub recorded it for the holder), or
    delivered its data: the sponsor team and the staff in charge are told."""
    decision = HolderDecision.objects.select_related(
        "project__reviewer", "base__data_holder", "recorded_by"
    ).get(pk=decision_id)
    context = {"decision": decision}
    queued = email_team(decision.project, "holder_decision", context)
    return queued + _email_staff(
        decision.project, "staff_holder_decision", context, besides=decision.recorded_by
    )


@task()
def notify_holders_of_requests(project_id: int) -> int:
    """The project was submitted: the members of the data holders of the bases it asks
    for hear of it, each once per base (`RequestedBase.holder_told_at`, claimed under
    a lock, so that a retry or a resubmission never tells them twice), one email per
    member listing their holder's bases, in the member's language."""
    with transaction.atomic():
        requests = list(
            RequestedBase.objects.select_for_update(of=("self",))
            .filter(project_id=project_id, holder_told_at=None)
            # A data request's bases are no data holder's to decide on.
            .exclude(project__kind=Project.Kind.REQUEST)
            .select_related("project", "base__data_holder")
        )
        RequestedBase.objects.filter(pk__in=[request.pk for request in requests]).update(
            holder_told_at=timezone.now()
        )
    if not requests:
        return 0
    project = requests[0].project
    by_holder: dict[int, list[RequestedBase]] = {}
    for request in requests:
        by_holder.setdefault(request.base.data_holder_id, []).append(request)
    memberships = HolderMembership.objects.filter(
        holder_id__in=by_holder, user__is_active=True
    ).select_related("user", "holder")
    queued = 0
    for membership in memberships:
        user, theirs = membership.user, by_holder[membership.holder_id]
        context = {
            "user": user,
            "project": project,
            "holder": membership.holder,
            "lines": [
                {
                    "request": request,
                    "url": settings.SITE_URL + reverse("holder:request", args=[request.pk]),
                }
                for request in theirs
            ],
            "bases": ", ".join(request.base.acronym for request in theirs),
        }
        with translation.override(user.language):
            subject = render_to_string("emails/holder_request_subject.txt", context).strip()
            body = render_to_string("emails/holder_request_body.txt", context)
        email_enqueue(subject=subject, body=body, to=[user.email])
        queued += 1
    return queued


@task()
def notify_delivery(delivery_id: int) -> int:
    """The hub delivered the statistics of a data request: each member of the team is
    told, with the hub's note and the link to their project page, where the file is."""
    delivery = Delivery.objects.select_related("project").get(pk=delivery_id)
    return email_team(delivery.project, "delivery", {"delivery": delivery})


@task()
def notify_staff_of_declaration(event_id: int) -> int:
    """The team declared a result or an algorithm version: the staff in charge are
    told, with the list of what waits for review."""
    event = Event.objects.select_related("project__reviewer", "actor").get(pk=event_id)
    model = "algorithmversion" if event.action == "algorithm_declared" else "result"
    review_url = settings.SITE_URL + reverse(f"admin:projects_{model}_changelist")
    return _email_staff(
        event.project,
        "staff_declaration",
        {"event": event, "review_url": f"{review_url}?state__exact=pending"},
        besides=event.actor,
    )


@task()
def notify_author_of_review(kind: str, pk: int) -> int:
    """The hub published or refused a result or an algorithm version: its author is
    told, in their language, with the hub's comment."""
    item: AlgorithmVersion | Result
    if kind == "algorithm":
        item = AlgorithmVersion.objects.select_related("algorithm__project", "declared_by").get(
            pk=pk
        )
        project = item.algorithm.project
    else:
        item = Result.objects.select_related("project", "declared_by").get(pk=pk)
        project = item.project
    author = item.declared_by
    if author is None or not author.is_active:
        return 0
    with translation.override(author.language):
        context = {
            "item": item,
            "kind": kind,
            "project": project,
            "user": author,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/result_reviewed_subject.txt", context).strip()
        body = render_to_string("emails/result_reviewed_body.txt", context)
    email_enqueue(subject=subject, body=body, to=[author.email])
    return 1
