"""The application as a PDF for the committee: a real PDF, in the reader's language,
with every field of the version; downloadable by whoever reads the version, never
cached publicly; rendered without fetching anything.

Who may download which PDF is in the permission table (test_permissions.py); here,
what the PDF says and how it is served."""

import io
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

from projects import services
from projects.models import Organisation, Project
from projects.pdf import FetchRefused, NoFetching, render_pdf
from tests.languages import in_language


def read(response) -> tuple[PdfReader, str]:
    """The PDF of the response, and its text with line breaks as spaces."""
    content = response.content
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def footer(language: str, page: int, pages: int) -> str:
    """The page footer, as the translation in force words it."""
    with translation.override(language):
        return gettext("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}


def long_date(language: str, value: date) -> str:
    with translation.override(language):
        return date_format(value, "DATE_FORMAT")


@pytest.fixture
def submitted(complete_draft, owner) -> Project:
    return services.project_submit(project=complete_draft, actor=owner)


@pytest.fixture
def resubmitted(submitted, owner, reviewer) -> Project:
    """Sent back for changes, edited, submitted again: versions 1 and 2."""
    services.project_transition(
        project=submitted, actor=reviewer, to="changes_requested", reason="Précisez."
    )
    Project.objects.filter(pk=submitted.pk).update(methodology="Cohorte prospective.")
    submitted.refresh_from_db()
    return services.project_transition(project=submitted, actor=owner, to="submitted")


def version_pdf(client, project, number: int, language: str = "fr"):
    url = reverse("my:version-pdf", kwargs={"pk": project.pk, "number": number})
    return client.get(in_language(url, language))


def test_a_version_is_a_french_pdf_with_every_field(client, owner, submitted):
    client.force_login(owner)

    response = version_pdf(client, submitted, 1)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{submitted.reference}-v1.pdf"'
    )
    reader, text = read(response)
    assert reader.metadata.title == f"{submitted.reference} · Étude des parcours · Version 1"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    # A4: 210 × 297 mm in points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "Health Data Hub · Plateforme des données de santé" in text
    assert submitted.reference in text
    # Labels in French (the default), every field's text, in the form's order.
    positions = [
        text.index(needle)
        for needle in [
            "Résumé public",
            "Résumé public.",
            "Méthodologie",
            "Cohorte rétrospective.",
            "Bases demandées",
            "ESME",
            "Données de vie réelle.",
            "Pièces jointes",
            "protocole.pdf",
        ]
    ]
    assert positions == sorted(positions)
    period = f"{long_date('fr', date(2015, 1, 1))} → {long_date('fr', date(2022, 12, 31))}"
    assert period in text
    assert long_date("fr", timezone.localdate()) in text  # submitted and generated today
    assert footer("fr", 1, len(reader.pages)) in text
    assert "Methodology" not in text


def test_the_pdf_follows_the_readers_language(client, owner, submitted):
    client.force_login(owner)

    response = version_pdf(client, submitted, 1, "en")

    reader, text = read(response)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Methodology" in text
    assert "Public summary" in text
    assert "Cohorte rétrospective." in text
    assert long_date("en", date(2015, 1, 1)) in text
    assert footer("en", 1, len(reader.pages)) == f"Page 1 of {len(reader.pages)}"
    assert footer("en", 1, len(reader.pages)) in text
    assert "Méthodologie" not in text


def test_a_long_application_numbers_every_page(client, owner, submitted):
    Project.objects.filter(pk=submitted.pk).update(status="changes_requested")
    Project.objects.filter(pk=submitted.pk).update(methodology="Une étape.\n" * 400)
    client.force_login(owner)

    response = client.get(reverse("my:project-pdf", kwargs={"pk": submitted.pk}))

    reader, text = read(response)
    pages = len(reader.pages)
    assert pages > 2
    for number in range(1, pages + 1):
        assert footer("fr", number, pages) in reader.pages[number - 1].extract_text()


def test_the_sponsor_not_yet_verified_says_so(client, owner, submitted, organisation):
    client.force_login(owner)
    with translation.override("fr"):
        not_verified = gettext("not yet verified")
    assert not_verified == "pas encore vérifiée"

    _reader, before = read(version_pdf(client, submitted, 1))
    Organisation.objects.filter(pk=organisation.pk).update(verified_at=timezone.now())
    _reader, after = read(version_pdf(client, submitted, 1))

    assert f"CHU Nord ({not_verified})" in before
    assert "CHU Nord" in after
    assert not_verified not in after


def test_each_version_keeps_its_own_content(client, owner, resubmitted):
    client.force_login(owner)

    first, second = version_pdf(client, resubmitted, 1), version_pdf(client, resubmitted, 2)

    assert second["Content-Disposition"] == (
        f'attachment; filename="{resubmitted.reference}-v2.pdf"'
    )
    assert "Cohorte rétrospective." in read(first)[1]
    assert "Cohorte prospective." in read(second)[1]
    assert read(second)[0].metadata.title.endswith("Version 2")


def test_the_team_downloads_its_current_draft(client, member, draft):
    client.force_login(member)

    response = client.get(reverse("my:project-pdf", kwargs={"pk": draft.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="project-{draft.pk}-current.pdf"'
    )
    _reader, text = read(response)
    assert "Étude des parcours" in text
    assert "Brouillon" in text  # no reference yet: "Draft" in its place


@pytest.mark.parametrize("name", ["version-pdf", "project-pdf"])
def test_a_pdf_is_never_cached_publicly(client, owner, submitted, name):
    client.force_login(owner)
    kwargs = {"pk": submitted.pk, "number": 1} if name == "version-pdf" else {"pk": submitted.pk}

    response = client.get(reverse(f"my:{name}", kwargs=kwargs))

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


@pytest.mark.parametrize("number", [2, 0, 10**12])
def test_an_unknown_version_is_404(client, owner, submitted, number):
    client.force_login(owner)

    assert version_pdf(client, submitted, number).status_code == 404


def test_an_unknown_project_is_404(client, owner, submitted):
    client.force_login(owner)

    response = client.get(reverse("my:version-pdf", kwargs={"pk": 10**12, "number": 1}))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "administrator"])
def test_staff_download_each_version_from_the_admin(request, client, resubmitted, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("admin:projects_project_change", args=[resubmitted.pk]))
    links = [
        reverse("my:version-pdf", kwargs={"pk": resubmitted.pk, "number": number})
        for number in (1, 2)
    ]

    assert page.status_code == 200
    for link in links:
        assert f'href="{link}"' in page.content.decode()
        response = client.get(link)
        assert response.status_code == 200
        assert resubmitted.reference in read(response)[1]


# Nothing is fetched: a local server counts the requests a rendering makes to it.


class Counting(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    handler = type("Handler", (Counting,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    server.shutdown()
    server.server_close()


def page_with_resources(base: str) -> str:
    return (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"></head>'
        f'<body><img src="{base}/logo.png" alt="logo">'
        f'<p style="background: url({base}/background.png)">Bonjour</p></body></html>'
    )


def test_weasyprints_own_fetcher_would_reach_the_server(local_server, monkeypatch):
    """The control: without `NoFetching`, this page makes requests (straight to the
    local server, whatever proxy the environment names)."""
    from weasyprint import HTML

    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    base, requests = local_server

    HTML(string=page_with_resources(base), url_fetcher=URLFetcher(timeout=5)).write_pdf()

    assert sorted(requests) == ["/background.png", "/logo.png", "/style.css"]


def test_rendering_a_pdf_fetches_nothing(local_server):
    base, requests = local_server

    pdf = render_pdf(page_with_resources(base))

    assert pdf.startswith(b"%PDF-")
    assert "Bonjour" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert requests == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x.png", "https://example.org/font.woff", "file:///etc/hostname"]
)
def test_the_url_fetcher_refuses_every_url(url):
    with pytest.raises(FetchRefused):
        NoFetching().fetch(url)


def test_markup_a_sponsor_types_is_text_and_fetches_nothing(client, owner, draft, local_server):
    base, requests = local_server
    typed = f'<img src="{base}/pixel.png"> <link rel="stylesheet" href="{base}/x.css">'
    Project.objects.filter(pk=draft.pk).update(methodology=typed)
    client.force_login(owner)

    response = client.get(reverse("my:project-pdf", kwargs={"pk": draft.pk}))

    # Shown as the text typed (a long line wraps: compared without spaces).
    assert typed.replace(" ", "") in read(response)[1].replace(" ", "")
    assert requests == []


def test_the_footer_text_is_escaped_in_css():
    pdf = render_pdf("<p>Corps</p>", footer='Say "hi" \\ } </style> {')

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert 'Say "hi" \\ } </style> {' in text
