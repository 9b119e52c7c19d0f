"""The reviewers' daily reminder: the files due within three days, and the overdue ones.

`manage.py send_review_reminders`, run once a day, calls `reminders_send`. A file
goes to its reviewer in charge; a file nobody is in charge of (or whose reviewer can
no longer review) goes to every active member of the `reviewers` group, so that
someone picks it up. Each reviewer gets one email listing their files, in their own
language. A file is included at most once a day: a `ReviewReminder` row per file and
day records it (and to whom it went), so a second run the same day sends nothing.
Paused files (changes requested) are never included: the sponsor has them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from projects import clocks, services
from projects.mail import email_enqueue
from projects.models import Project, ReviewReminder

REVIEWERS_GROUP = "reviewers"


@dataclass
class Report:
    files: int = 0
    emails: int = 0


@dataclass(frozen=True)
class Line:
    """One file in a reminder."""

    project: Project
    due_on: date
    days_left: int
    url: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return -self.days_left

    @property
    def deadline(self) -> str:
        """Which deadline is the nearer: the overall decision's or the stage's."""
        if self.due_on == self.project.decision_due_on:
            return str(_("overall decision"))
        return str(self.project.stage_label(clocks.STAGE_OF_STATE.get(self.project.status)) or "")


def reviewers_on_duty() -> list:
    """Who receives the files nobody is in charge of."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=REVIEWERS_GROUP)
        .order_by("email")
        .distinct()
    )


def _in_charge(project: Project) -> list | None:
    reviewer = project.reviewer
    if reviewer is not None and reviewer.is_active and services.may_review(reviewer):
        return [reviewer]
    return None


def reminders_send(*, today: date) -> Report:
    """Emails each reviewer their files due by `today` + 3 days, overdue ones first."""
    horizon = today + timedelta(days=clocks.DUE_SOON_DAYS)
    report = Report()
    with transaction.atomic():
        projects = (
            Project.objects.due_by(horizon)
            .exclude(reminders__sent_on=today)
            .select_related("reviewer")
            .with_next_due()
            .order_by("next_due_on", "reference")
        )
        on_duty: list | None = None
        batches: dict[int, tuple] = {}
        for project in projects:
            recipients = _in_charge(project)
            if recipients is None:
                if on_duty is None:
                    on_duty = reviewers_on_duty()
                recipients = on_duty
            if not recipients:
                continue
            _reminder, created = ReviewReminder.objects.get_or_create(
                project=project,
                sent_on=today,
                defaults={"recipients": ", ".join(user.email for user in recipients)},
            )
            if not created:  # another run got there first
                continue
            report.files += 1
            due = project.due_on
            assert due is not None  # `due_by` selects files with a due date
            line = Line(
                project=project,
                due_on=due,
                days_left=(due - today).days,
                url=settings.SITE_URL + reverse("admin:projects_project_change", args=[project.pk]),
            )
            for user in recipients:
                batches.setdefault(user.pk, (user, []))[1].append(line)
        for user, lines in batches.values():
            _email(user, lines)
            report.emails += 1
    return report


def _email(user, lines: list[Line]) -> None:
    context = {
        "user": user,
        "overdue": [line for line in lines if line.overdue],
        "soon": [line for line in lines if not line.overdue],
        "count": len(lines),
        "days": clocks.DUE_SOON_DAYS,
    }
    with translation.override(user.language):
        subject = render_to_string("emails/review_reminder_subject.txt", context).strip()
        body = render_to_string("emails/review_reminder_body.txt", context)
    to = [user.email]
    transaction.on_commit(lambda: email_enqueue(subject=subject, body=body, to=to))
