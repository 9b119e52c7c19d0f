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
