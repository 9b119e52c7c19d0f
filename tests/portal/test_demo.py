from collections import Counter
from datetime import datetime, time, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Base, DataHolder, Milestone
from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
from projects import clocks
from projects.models import (
    Algorithm,
    AlgorithmVersion,
    DeadlineExtension,
    Event,
    Project,
    ProjectVersion,
    ReviewState,
    Status,
)
from tests.conftest import totp_code

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "holders": list(DataHolder.objects.order_by("pk").values()),
        "bases": list(Base.objects.order_by("pk").values()),
        "milestones": list(Milestone.objects.order_by("pk").values()),
        "users": list(get_user_model().objects.order_by("pk").values()),
        "projects": list(Project.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values()),
        "versions": list(ProjectVersion.objects.order_by("pk").values()),
        "extensions": list(DeadlineExtension.objects.order_by("pk").values()),
        "authenticators": list(Authenticator.objects.order_by("pk").values()),
        "algorithms": list(Algorithm.objects.order_by("pk").values()),
        "algorithm_versions": list(AlgorithmVersion.objects.order_by("pk").values()),
        "algorithm_bases": list(AlgorithmVersion.bases.through.objects.order_by("pk").values()),
    }


def test_demo_data_loaded_twice_gives_the_same_catalog(capsys):
    call_command("load_demo")
    first = snapshot()
    call_command("load_demo")

    assert snapshot() == first
    assert "admin@hub.example" in capsys.readouterr().out


def test_demo_catalog_reproduces_the_2023_annual_report():
    call_command("load_demo")

    assert Base.objects.count() == 7
    assert Milestone.objects.reached_in(2023).counts_by_kind() == {
        "contract": 5,
        "documentation": 7,
        "preparation": 6,
        "transfer": 5,
    }
    assert set(Base.objects.having_reached("contract").values_list("acronym", flat=True)) == {
        "BNDMR",
        "ESME",
        "OSCOUR",
        "ATU CBPC",
        "e-SIS",
    }


def test_demo_library_has_algorithms_of_boas_projects_and_a_version_awaiting_review(client):
    call_command("load_demo")

    published = Algorithm.objects.published()
    assert published.count() >= 3
    assert set(published.values_list("project__themes__slug", flat=True)) == {"boas"}
    assert {"EUPL-1.2", "Apache-2.0", "MIT"} <= set(
        published.values_list("current__licence", flat=True)
    )
    history = Algorithm.objects.get(slug="sca-prehosp").versions
    assert list(history.published().values_list("version", flat=True)) == ["1.1", "1.0"]
    assert history.get(version="2.0").state == ReviewState.PENDING
    for version in AlgorithmVersion.objects.all():
        version.full_clean()  # SPDX licences, addresses
    for algorithm in published:  # the day of its first publication, or of an earlier result
        assert algorithm.project.results_published_on is not None
    page = client.get("/algorithms/sca-prehosp/").content.decode()
    assert "Version 1.0" in page and "Hauts-de-France" not in page
    assert client.get("/algorithms/avc-urg/").status_code == 404


def test_demo_sponsor_has_projects_in_several_states():
    call_command("load_demo")

    states = set(
        Project.objects.filter(team__user__email="sponsor@chu-exemple.fr").values_list(
            "status", flat=True
        )
    )
    assert {Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED} <= states


def test_demo_staff_sign_in_with_the_printed_authenticator_secret(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out

    assert DEMO_TOTP_SECRET in out
    assert f"otpauth://totp/admin%40hub.example?secret={DEMO_TOTP_SECRET}" in out
    for email in ["admin@hub.example", "reviewer@hub.example"]:
        totp = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
        assert TOTP(totp).validate_code(totp_code(DEMO_TOTP_SECRET))
        assert Authenticator.objects.filter(
            user__email=email, type=Authenticator.Type.RECOVERY_CODES
        ).exists()
    assert not Authenticator.objects.filter(user__email="sponsor@chu-exemple.fr").exists()


def test_the_demo_has_files_in_every_clock_situation():
    """Whatever day it is loaded: on time, due soon (3 days or less), overdue, paused,
    extended; and the stored due dates are the ones the audit trail gives."""
    call_command("load_demo")

    situations: Counter[str] = Counter()
    for project in Project.objects.filter(status__in=clocks.OPEN):
        clock = project.review_clock()
        assert (clock.stage_due_on, clock.decision_due_on, clock.paused_since) == (
            project.stage_due_on,
            project.decision_due_on,
            project.clock_paused_on,
        ), project.reference
        if clock.paused:
            situations["paused"] += 1
        elif clock.overdue:
            situations["overdue"] += 1
        elif clock.due_soon:
            situations["due soon"] += 1
        else:
            situations["on time"] += 1
        if clock.extended:
            situations["extended"] += 1

    assert set(situations) == {"on time", "due soon", "overdue", "paused", "extended"}
    assert min(situations.values()) >= 2


def test_the_demo_writes_each_projects_events_at_its_dates():
    call_command("load_demo")
    hub = clocks.hub_timezone()

    for project in Project.objects.exclude(submitted_on=None).prefetch_related("events"):
        reached = {event.to_status: event.at for event in reversed(project.events.all())}
        assert reached["submitted"].astimezone(hub).date() == project.submitted_on
        for field, state in [
            ("opinion_on", "awaiting_authorisation"),
            ("authorised_on", "approved"),
            ("launched_on", "in_progress"),
            ("completed_on", "completed"),
        ]:
            day = getattr(project, field)
            assert (reached[state].astimezone(hub).date() if state in reached else None) == day
        assert project.status == project.events.exclude(to_status="").last().to_status


def test_the_demo_loaded_again_another_day_adds_nothing():
    call_command("load_demo")
    first = snapshot()
    later = datetime.combine(
        clocks.hub_today() + timedelta(days=45), time(9), clocks.hub_timezone()
    )

    with time_machine.travel(later, tick=False):
        call_command("load_demo")

    assert snapshot()["projects"] == first["projects"]
    assert snapshot()["events"] == first["events"]


def test_demo_holders_have_requests_waiting_agreed_and_delivered(client, capsys):
    from projects import selectors

    call_command("load_demo")
    out = capsys.readouterr().out

    for email, base in [("holder@aphp.example", "BNDMR"), ("holder@unicancer.example", "ESME")]:
        assert email in out
        user = get_user_model().objects.get(email=email)
        assert client.login(email=email, password=DEMO_PASSWORD)
        requests = selectors.holder_requests(user)
        assert set(requests.values_list("base__acronym", flat=True)) == {base}
        counts = selectors.holder_queue_counts(requests)
        assert counts["to_decide"] and counts["to_deliver"] and counts["delivered"]
        assert client.get("/holder/").status_code == 200
    assert Base.objects.get(slug="bndmr").proposals.get().state == "proposed"
