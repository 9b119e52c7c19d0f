"""An application as a PDF for the committee, rendered on the server by WeasyPrint.

The PDF shows the same data as the version pages: a submitted version's frozen
snapshot (`ProjectVersion.content`), or for the team the current content through
`snapshots.snapshot`, every field its kind holds (`snapshots.fields_for`) in order,
choices by their label, in the language active for the request.

Nothing is fetched while rendering: the HTML has no base URL, the stylesheet is a
file read from disk and passed as a string, fonts are the system's (fontconfig),
and the URL fetcher refuses every URL (`NoFetching`), so an image, stylesheet or
font named in the template, or in text a sponsor typed, can reach neither the
network nor the server's files.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from projects import snapshots
from projects.models import Organisation, Project, ProjectVersion

logger = logging.getLogger(__name__)

STYLESHEET = "css/application-pdf.css"


class FetchRefused(ValueError):
    """A URL that the PDF rendering was asked to fetch, and did not."""


class NoFetching(URLFetcher):
    """A WeasyPrint URL fetcher that refuses every URL, whatever its scheme
    (http, https, file, data...): the PDF is made from the HTML and CSS given, and
    nothing else. WeasyPrint logs the refusal and renders without the resource (an
    image shows its alternative text)."""

    def fetch(self, url, headers=None):
        logger.warning("PDF rendering refused to fetch %s", url[:200])
        raise FetchRefused(f"Nothing is fetched while rendering a PDF: {url[:200]}")


@dataclass(frozen=True)
class ApplicationPdf:
    filename: str
    content: bytes


def application_pdf(*, project: Project, version: ProjectVersion | None) -> ApplicationPdf:
    """The PDF of `version`, or with `version=None` of the application's current
    content (what the team is writing, never submitted as such)."""
    content = version.content if version is not None else snapshots.snapshot(project)
    reference = project.reference or _("Draft")
    if version is not None:
        edition = _("Version %(number)s") % {"number": version.number}
        stem = f"{project.reference or f'project-{project.pk}'}-v{version.number}"
    else:
        edition = _("Current content, not submitted as such")
        stem = f"{project.reference or f'project-{project.pk}'}-current"
    generated = date_format(timezone.localtime(), "DATETIME_FORMAT")
    title = content.get("title") or _("Untitled project")
    html = render_to_string(
        "projects/application_pdf.html",
        {
            "language": get_language(),
            "document_title": f"{reference} · {title} · {edition}",
            "reference": reference,
            "title": title,
            "edition": edition,
            "version": version,
            "sponsor": content.get("sponsor", ""),
            "sponsor_verified": _sponsor_verified(project, version, content.get("sponsor", "")),
            "sections": _sections(content),
            "generated": generated,
            "generated_iso": timezone.now().isoformat(timespec="seconds"),
        },
    )
    footer = _("%(reference)s · %(edition)s · generated on %(date)s") % {
        "reference": reference,
        "edition": edition,
        "date": generated,
    }
    return ApplicationPdf(filename=f"{stem}.pdf", content=render_pdf(html, footer=footer))


def render_pdf(html: str, *, footer: str = "") -> bytes:
    """A4 PDF of `html`, with `footer` on the left of each page and "page X of Y"
    on the right; tagged (structure tree) for screen readers."""
    stylesheets = [CSS(string=_stylesheet()), CSS(string=_margin_boxes(footer))]
    document = HTML(string=html, base_url=None, url_fetcher=NoFetching())
    pdf = document.write_pdf(stylesheets=stylesheets, pdf_tags=True)
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return pdf


@cache
def _stylesheet() -> str:
    """The stylesheet, read from disk once per process (never through a URL)."""
    path = finders.find(STYLESHEET)
    if not isinstance(path, str):
        raise FileNotFoundError(STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _margin_boxes(footer: str) -> str:
    """The footer's margin boxes, in the reader's language. "Page %(page)s of
    %(pages)s" may put the numbers in any order once translated: the text between
    them becomes CSS strings, the numbers the page counters."""
    marker = "\x00"
    pattern = _("Page %(page)s of %(pages)s") % {
        "page": f"{marker}page{marker}",
        "pages": f"{marker}pages{marker}",
    }
    parts = []
    for index, part in enumerate(pattern.split(marker)):
        if index % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append(_css_string(part))
    return (
        "@page { "
        f"@bottom-left {{ content: {_css_string(footer)}; }} "
        f"@bottom-right {{ content: {' '.join(parts) or 'none'}; }} "
        "}"
    )


def _css_string(text: str) -> str:
    """`text` as a CSS string token: quotes, backslashes, line breaks and anything
    that could close the string or the rule are escaped."""
    return '"' + re.sub(r'[\\"\n\r\f<>{}]', lambda m: f"\\{ord(m[0]):x} ", text) + '"'


def _sponsor_verified(project: Project, version: ProjectVersion | None, name: str) -> bool:
    """Whether the hub has verified the sponsor organisation, as of today. A version
    stores the organisation's name only (names are unique): an organisation renamed
    since is not found, and the PDF then says "not yet verified" rather than claim
    a verification it cannot tie to that name."""
    if version is None:
        return project.sponsor is not None and project.sponsor.is_verified
    if not name:
        return False
    return Organisation.objects.filter(name=name, verified_at__isnull=False).exists()


@dataclass(frozen=True)
class Section:
    field: str
    label: str
    value: object


def _sections(content: dict) -> list[Section]:
    """Every field of the snapshot in the form's order, its label in the active
    language, dates (stored as ISO text) as dates for the template to format."""
    sections = []
    for field, label in snapshots.fields_for(content):
        value = snapshots.display_value(field, content.get(field))
        if field == "planned_start":
            value = _date(value)
        elif field == "bases":
            value = [
                {
                    **request,
                    "period_start": _date(request.get("period_start")),
                    "period_end": _date(request.get("period_end")),
                }
                for request in value or []
            ]
        sections.append(Section(field=field, label=str(label), value=value))
    return sections


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None
