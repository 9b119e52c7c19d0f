import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Base, DataHolder, Milestone

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "holders": list(DataHolder.objects.order_by("pk").values()),
        "bases": list(Base.objects.order_by("pk").values()),
        "milestones": list(Milestone.objects.order_by("pk").values()),
        "users": list(get_user_model().objects.order_by("pk").values()),
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
