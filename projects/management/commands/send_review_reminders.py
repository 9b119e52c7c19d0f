"""The reviewers' daily reminder (`projects.review.reminders`).

Run it once a day, in the morning, by cron beside the web server, for example in the
crontab of the portal's user:

    CRON_TZ=Europe/Paris
    0 7 * * * cd /srv/portal && .venv/bin/python manage.py send_review_reminders

(or a systemd timer with `OnCalendar=*-*-* 07:00 Europe/Paris`). Django's task
worker (`manage.py db_worker`) sends the emails it queues but schedules nothing
itself. The day is the hub's (Europe/Paris); running it twice the same day, or on
two servers, sends each file once.
"""

from django.core.management.base import BaseCommand

from projects import clocks
from projects.review.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Emails each reviewer the files due within three days and the overdue ones. "
        "Run it once a day (cron); a second run the same day sends nothing."
    )

    def handle(self, *args, **options):
        today = clocks.hub_today()
        report = reminders_send(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {report.emails} reminder email(s) about {report.files} file(s)."
        )
