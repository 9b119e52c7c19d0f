"""Both languages: the pages people read are French at their plain address and English
under /en/; the API, the admin and the health check have one address. Each page names
its other version (hreflang) and links to it (the switcher), query string kept; the
names the hub stores in both languages follow the page."""

import re
from datetime import date

import pytest
from django.urls import reverse

from projects.models import Programme, Theme
from tests.factories import make_public_project as add
from tests.languages import english_url

pytestmark = pytest.mark.django_db

SITE = "https://portail.example"


@pytest.fixture
def named(settings):
    """Themes and a programme named in both languages, and a project carrying them."""
    settings.SITE_URL = SITE
    Theme.objects.update_or_create(
        slug="ai",
        defaults={"name": "Intelligence artificielle", "name_en": "Artificial intelligence"},
    )
    Theme.objects.update_or_create(
        slug="prevention", defaults={"name": "Prévention", "name_en": ""}
    )
    Programme.objects.update_or_create(
        slug="unibase", defaults={"name": "Programme Unibase", "name_en": "Unibase programme"}
    )
    return add(
        "HDH-2024-0001",
        "Projet lancé",
        themes=["ai", "prevention"],
        programme="unibase",
        submitted_on=date(2026, 3, 12),
    )


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/projects/", "/catalog/", "/stats/", "/algorithms/", "/legal/", "/accessibility/"],
)
def test_each_page_is_french_unprefixed_and_english_under_en(client, url):
    assert '<html lang="fr">' in html(client, url)
    assert '<html lang="en">' in html(client, english_url(url))


def test_an_english_browser_gets_the_french_page_at_the_french_address(client):
    response = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200  # no redirection to /en/
    assert '<html lang="fr">' in response.content.decode()


def test_the_api_has_one_address(client):
    assert client.get("/api/v1/projects/").status_code == 200
    assert client.get("/en/api/v1/projects/").status_code == 404
    assert client.get("/en/healthz").status_code == 404
    assert client.get("/healthz").status_code == 200


def test_the_admin_is_french_by_default(client, administrator):
    client.force_login(administrator)

    assert '<html lang="fr"' in html(client, "/admin/")
    assert client.get("/en/admin/").status_code == 404


def test_signing_in_on_an_english_page_leads_to_english_pages(client, owner):
    response = client.post(
        english_url(reverse("account_login")),
        {"login": owner.email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/my/"


def test_signing_up_on_an_english_page_keeps_english_for_the_emails(client):
    from portal.models import User
    from tests.portal.conftest import sign_up

    sign_up(client, email="en@labo.example", language="en")
    sign_up(client.__class__(), email="fr@labo.example", language="fr")

    assert User.objects.get(email="en@labo.example").language == "en"
    assert User.objects.get(email="fr@labo.example").language == "fr"


@pytest.mark.parametrize(
    "path",
    ["/projects/?theme=ai&status=submitted", "/projects/HDH-2024-0001/", "/stats/", "/catalog/"],
)
def test_every_page_names_both_versions_and_the_french_one_as_default(client, named, path):
    for url in (path, english_url(path)):
        content = html(client, url)
        links = dict(
            re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', content)
        )
        french, english = (
            SITE + path.replace("&", "&amp;"),
            SITE + english_url(path).replace("&", "&amp;"),
        )
        assert links == {"fr": french, "en": english, "x-default": french}, url


def test_a_missing_page_names_no_other_version(client):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert "hreflang=" not in response.content.decode().split("</head>")[0]


def switcher(content: str) -> str:
    start = content.index('id="language-switcher"')
    return content[start : content.index("</li>", start)]


def test_the_switcher_links_to_the_same_page_and_filters_in_the_other_language(client, named):
    french = switcher(html(client, "/projects/?theme=ai&page=1"))
    english = switcher(html(client, "/en/projects/?theme=ai&page=1"))

    assert 'href="/en/projects/?theme=ai&amp;page=1" hreflang="en"' in french
    assert '<span lang="en">English</span>' in french
    assert 'href="/projects/?theme=ai&amp;page=1" hreflang="fr"' in english
    assert '<span lang="fr">Français</span>' in english


def test_the_directory_fragment_brings_the_switcher_for_its_filters(client, named):
    content = client.get("/projects/?theme=ai", HTTP_HX_REQUEST="true").content.decode()

    assert 'id="language-switcher" data-hx-swap-oob="true"' in content
    assert 'href="/en/projects/?theme=ai"' in content


def test_on_a_missing_page_the_switcher_leads_home(client):
    content = client.get("/en/no-such-page/").content.decode()

    assert 'href="/" hreflang="fr"' in switcher(content)


def test_theme_and_programme_names_follow_the_page(client, named):
    french = html(client, "/projects/")
    english = html(client, "/en/projects/")

    assert "Intelligence artificielle (1)" in french and "Programme Unibase (1)" in french
    assert "Artificial intelligence (1)" in english and "Unibase programme (1)" in english
    # A theme without an English name keeps its French one.
    assert "Prévention (1)" in english
    assert "Artificial intelligence" not in french

    page = html(client, "/en/projects/HDH-2024-0001/")
    assert ">Artificial intelligence</a>" in page and ">Unibase programme</a>" in page
    page = html(client, "/projects/HDH-2024-0001/")
    assert ">Intelligence artificielle</a>" in page and ">Programme Unibase</a>" in page


def test_the_counts_serve_both_languages(client, named):
    """One count per set of filters, whatever the language: the English page after the
    French one reads the same cached counts and still names the themes in English."""
    html(client, "/projects/?status=submitted")
    Theme.objects.filter(slug="ai").update(name_en="Renamed but not recounted")

    assert "Artificial intelligence (1)" in html(client, "/en/projects/?status=submitted")


def test_statistics_name_themes_in_the_readers_language(client, named):
    assert "Artificial intelligence" in html(client, "/en/stats/2026/")
    assert "Intelligence artificielle" in html(client, "/stats/2026/")


def test_the_csv_export_labels_follow_its_address(client, named):
    def text(url):
        return b"".join(client.get(url).streaming_content).decode()

    assert "Artificial intelligence" in text("/en/projects/export.csv")
    assert "Intelligence artificielle" in text("/projects/export.csv")
    # The record's own address is the French page in both.
    assert "/en/projects/HDH-2024-0001/" not in text("/en/projects/export.csv")
