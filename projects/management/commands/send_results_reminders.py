"""The sponsor teams' reminder that their results are due (`projects.results`).

Run it once a day, in the morning, by cron beside the web server, for example in the
crontab of the portal's user:

    CRON_TZ=Europe/Paris
    15 7 * * * cd /srv/portal && .venv/bin/python manage.py send_results_reminders

The day is the hub's (Europe/Paris); running it twice the same day, or on two
servers, sends each step once per project.
"""

from django.core.management.base import BaseCommand

from projects import clocks
from projects.results import reminders_send


class Command(BaseCommand):
    help = (
        "Reminds the team of each completed project with no result published that its "
        "results are due: three months and one month before the due date, and once it "
        "has passed. Run it once a day (cron); each step is sent once per project."
    )

    def handle(self, *args, **options):
        today = clocks.hub_today()
        report = reminders_send(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {report.emails} results reminder email(s) "
            f"about {report.projects} project(s)."
        )
