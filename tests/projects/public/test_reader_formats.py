"""Counts and dates read in the reader's format: « 1 200 projets » in French, "1,200
projects" in English, in the directory's total and in each filter's count, on the home page
and in the year's statistics; dates day first in both languages (British English)."""

from datetime import date

import pytest
from django.urls import reverse

from projects import services
from projects.models import Organisation, Project, Status
from tests.languages import english_url

pytestmark = pytest.mark.django_db

MANY = 1_200
NBSP = "\xa0"


@pytest.fixture
def many_projects():
    sponsor = Organisation.objects.create(name="CHU Nord")
    Project.objects.bulk_create(
        Project(
            reference=f"HDH-2024-{number:04d}",
            title=f"Projet {number}",
            sponsor=sponsor,
            status=Status.IN_PROGRESS,
            submitted_on=date(2024, 3, 1),
            launched_on=date(2024, 9, 1),
        )
        for number in range(1, MANY + 1)
    )
    services.public_data_changed()


def test_the_directory_counts_in_french(client, many_projects):
    page = client.get(reverse("projects:directory")).content.decode()

    assert f"1{NBSP}200 projets" in page
    assert f"En cours (1{NBSP}200)" in page
    assert "1200 projets" not in page


def test_the_directory_counts_in_english(client, many_projects):
    page = client.get(english_url(reverse("projects:directory"))).content.decode()

    assert "1,200 projects" in page
    assert "In progress (1,200)" in page


def test_the_home_page_counts_in_the_readers_format(client, many_projects):
    french = client.get(reverse("home")).content.decode()
    english = client.get(english_url(reverse("home"))).content.decode()

    assert f"1{NBSP}200 projets figurent" in french
    assert "1,200 projects are listed" in english


def test_the_years_figures_in_the_readers_format(client, many_projects):
    french = client.get(reverse("stats-year", args=[2024])).content.decode()
    english = client.get(english_url(reverse("stats-year", args=[2024]))).content.decode()

    assert f">1{NBSP}200</span> projets lancés" in french
    assert ">1,200</span> projects launched" in english
    # A year stays a year: never « 2 024 ».
    assert f"2{NBSP}024" not in french


def test_dates_put_the_day_first_in_both_languages(client, many_projects):
    french = client.get(reverse("projects:directory")).content.decode()
    english = client.get(english_url(reverse("projects:directory"))).content.decode()

    # The 1st of March 2024: never 03/01/2024, as American English writes it.
    assert "déposé le 01/03/2024" in french
    assert "submitted on 01/03/2024" in english
    assert "03/01/2024" not in english
