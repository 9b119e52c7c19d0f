"""The legal notice, the accessibility statement and the icon: public, linked from every
page, filled from the settings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_links_to_the_legal_notice_and_the_accessibility_statement(client):
    for url in (reverse("home"), reverse("projects:directory"), reverse("catalog:base-list")):
        page = client.get(url).text
        assert f'href="{reverse("legal")}"' in page
        assert f'href="{reverse("accessibility")}"' in page
        assert "Accessibilité : partiellement conforme" in page
        assert 'rel="icon"' in page


def test_the_legal_notice_names_the_publisher_and_the_host(client, settings):
    settings.LEGAL_PUBLISHER = "Plateforme des données de santé, Paris"
    settings.LEGAL_DIRECTOR = "Jeanne Martin"
    settings.LEGAL_HOST = "Hébergeur Exemple SAS, Lille"
    page = client.get(reverse("legal"))
    assert page.status_code == 200
    for text in (
        "Plateforme des données de santé, Paris",
        "Jeanne Martin",
        "Hébergeur Exemple SAS, Lille",
    ):
        assert text in page.text


def test_the_accessibility_statement_says_the_level_and_whom_to_write_to(client, settings):
    settings.ACCESSIBILITY_EMAIL = "a11y@hub.example"
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200
    assert "partiellement conforme" in page.text
    assert 'href="mailto:a11y@hub.example"' in page.text
    assert "Défenseur des droits" in page.text


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.svg")


def test_the_accessibility_statement_names_the_html_checker_and_the_phone_run(client):
    page = client.get(reverse("accessibility"))
    assert "passe le validateur HTML Nu du W3C sans aucune erreur" in page.text
    assert "écran de téléphone de 360 pixels de large" in page.text
