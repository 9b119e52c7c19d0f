"""The data holders' weekly digest (`projects.holder.digests`).

Run it once a week, on Monday morning, by cron beside the web server, for example in
the crontab of the portal's user:

    CRON_TZ=Europe/Paris
    0 7 * * 1 cd /srv/portal && .venv/bin/python manage.py send_holder_digests

(or a systemd timer with `OnCalendar=Mon *-*-* 07:00 Europe/Paris`). The week is the
hub's (Europe/Paris); running it twice the same week sends each person one digest.
"""

from django.core.management.base import BaseCommand

from projects import clocks
from projects.holder.digests import digests_send


class Command(BaseCommand):
    help = (
        "Emails each data holder's member the requests waiting for their decision. "
        "Run it once a week (cron); a second run the same week sends nothing."
    )

    def handle(self, *args, **options):
        today = clocks.hub_today()
        report = digests_send(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {report.emails} digest(s) listing {report.requests} request(s)."
        )
