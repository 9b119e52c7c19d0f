"""Fixtures for the end-to-end tests: one headless Chromium per session, one page per test.

Static files: pytest-django's `live_server` serves them through Django's
staticfiles handler (finders, no collectstatic). The only thing that needs a
manifest is `{% static %}` under whitenoise's CompressedManifestStaticFilesStorage,
and the autouse `_static_files_without_manifest` fixture of tests/conftest.py
already swaps in the plain StaticFilesStorage for every test, so nothing more
is needed here.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an asyncio event loop in the test thread; without
# this Django refuses the database queries of fixtures and assertions.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# WCAG 2.1 levels A and AA only.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_catalog(transactional_db, django_db_serialized_rollback):
    """The seven bases of the demo catalog, in a database the live server can see.

    The live server needs a transactional database, which is flushed after each
    test. The serialized rollback puts back what the data migrations created
    (groups, content types) before the test and flushes without re-running
    post_migrate after it, so the tests that follow, transactional or not, still
    find that data and no duplicate content types.
    """
    from catalog.demo import load_catalog

    load_catalog()


@pytest.fixture
def locale():
    """Browser locale, hence the Accept-Language header; override to browse in French."""
    return "en-GB"


@pytest.fixture
def csp_errors():
    return []


@pytest.fixture
def page(browser, live_server, demo_catalog, locale, csp_errors):
    context = browser.new_context(locale=locale, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def record(message):
        if "Content Security Policy" in message.text:
            csp_errors.append(f"{page.url}: {message.text}")

    page.on("console", record)
    yield page
    context.close()
    assert not csp_errors, "\n".join(csp_errors)


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe, csp_errors):
    """Run axe (WCAG 2.1 A and AA) on the current page and fail with its report.

    Also fails at once on a Content Security Policy error seen so far; the `page`
    fixture checks again when the test ends.
    """

    def check(page):
        assert not csp_errors, "\n".join(csp_errors)
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check
