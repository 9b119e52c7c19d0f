"""The pages people read, as the demo shows them, in French and in English: every page
reached by following links from the home page (as a visitor) and from "My projects" (as
the demo sponsor) shows names and dates in the reader's language and format, never a raw
code (`changes_requested`, `in_progress`) nor an ISO date (2026-03-01)."""

import re

import pytest
from django.core.management import call_command

from portal.models import User
from tests.portal.test_admin_in_french import visible_text

pytestmark = pytest.mark.django_db

RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Addresses that are not pages to read (files, feeds, exports, forms that act), and a
# project's versions' pages, whose comparison shows what the team typed.
SKIPPED = re.compile(
    r"/(static|media|api|admin|i18n)/|\.(csv|json|jsonld|xml|pdf|atom)\b|/export|/feed"
    r"|/logout|/delete|/withdraw|/copy|/pdf/|/attachments/|/deliveries/|/report"
)
PAGE_LIMIT = 120


def shape(path: str) -> str:
    """Pages of the same kind share a shape: one of each is enough."""
    return re.sub(r"/(\d+|HDH-\d{4}-\d{4})/", "/N/", path)


def pages(client, start: str):
    seen_shapes: set[str] = set()
    seen: set[str] = set()
    queue = [start]
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield url, html
        prefix = "/en/" if start.startswith("/en/") else "/"
        for href in re.findall(r'href="(/[^"#]*)"', html):
            href = href.replace("&amp;", "&")
            path = href.split("?")[0]
            if SKIPPED.search(href) or not href.startswith(prefix):
                continue
            if prefix == "/" and href.startswith("/en/"):
                continue
            key = shape(path) + ("?" if "?" in href else "")
            if key in seen_shapes and (shape(path) != path or "?" in href):
                continue
            seen_shapes.add(key)
            queue.append(href)


def problems(client, start: str) -> dict[str, str]:
    found: dict[str, str] = {}
    visited = 0
    for url, html in pages(client, start):
        visited += 1
        text = visible_text(html)
        for match in RAW_CODE.findall(text) + ISO_DATE.findall(text):
            found.setdefault(match, url)
    assert visited > 20, f"only {visited} pages from {start}"
    return found


@pytest.fixture
def demo(db):
    call_command("load_demo")


@pytest.mark.parametrize("start", ["/", "/en/"])
def test_the_public_pages_read_well(client, demo, start):
    assert problems(client, start) == {}


@pytest.mark.parametrize("start", ["/my/", "/en/my/"])
def test_the_sponsors_pages_read_well(client, demo, start):
    client.force_login(User.objects.get(email="sponsor@chu-exemple.fr"))

    assert problems(client, start) == {}
