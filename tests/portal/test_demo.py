import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Base, DataHolder, Milestone
from portal.demo.accounts import DEMO_TOTP_SECRET
from projects.models import Event, Project, ProjectVersion, Status
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
        "authenticators": list(Authenticator.objects.order_by("pk").values()),
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
