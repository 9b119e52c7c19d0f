"""The pages people read, as the demo shows them, in French and in English: every page
reached by following links from the home page (as a visitor) and from "My projects" (as
the demo sponsor) shows names and dates in the reader's language and format, never a raw
code (`changes_requested`, `in_progress`) nor an ISO date (2026-03-01)."""

import re

import pytest
from django.core.management import call_command

from portal.models import User
from tests.portal.crawling import ISO_DATE, RAW_CODE, pages, visible_text

pytestmark = pytest.mark.django_db

# Addresses that are not pages to read (files, feeds, exports, forms that act).
SKIPPED = re.compile(
    r"/(static|media|api|admin|i18n)/|\.(csv|json|jsonld|xml|pdf|atom)\b|/export|/feed"
    r"|/logout|/delete|/withdraw|/copy|/pdf/|/attachments/|/deliveries/|/report"
)
PAGE_LIMIT = 120


def in_language_of(start: str):
    """The links a reader of `start`'s language follows: the pages of that language."""
    english = start.startswith("/en/")

    def follow(href: str) -> bool:
        return not SKIPPED.search(href) and href.startswith("/en/") == english

    return follow


def problems(client, start: str) -> dict[str, str]:
    found: dict[str, str] = {}
    visited = 0
    for url, html in pages(client, start, follow=in_language_of(start), limit=PAGE_LIMIT):
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
