"""Fixtures for the end-to-end tests: one headless Chromium per module, one page per test.

Static files: pytest-django's `live_server` serves them through Django's
staticfiles handler (finders, no collectstatic). The only thing that needs a
manifest is `{% static %}` under whitenoise's CompressedManifestStaticFilesStorage,
and the autouse `_static_files_without_manifest` fixture of tests/conftest.py
already swaps in the plain StaticFilesStorage for every test, so nothing more
is needed here.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import sync_playwright

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


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One headless Chromium per test module.

    Between two sync calls Playwright marks its event loop as running in this
    thread, which has two effects on Django as long as Playwright runs:

    - Django refuses database access from an async context: allow it, only for
      as long as Playwright runs (an `os.environ` set at import would leak into
      every other test, and into the subprocesses of `manage.py check --deploy`);
    - `connections` keeps its connections per context rather than per thread,
      and hands out new ones that lack the migrated data serialized at setup:
      copy it over, or serialized rollbacks would restore nothing.

    Module scope stops Playwright, hence the loop, before the tests of other
    modules run.
    """
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture(autouse=True)
def _migrated_data_restored(django_db_serialized_rollback):
    """Serialized rollback for every test here.

    The live server needs a transactional database, flushed after each test,
    which would remove what the data migrations created (groups, themes). With
    the serialized rollback it is put back before each test, and the flush does
    not re-run post_migrate, so the tests that follow find the same data and no
    duplicate content types.
    """


@pytest.fixture
def demo_catalog(transactional_db):
    """The seven bases of the demo catalog, in a database the live server can see."""
    from portal.demo.catalog import load_catalog

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


@pytest.fixture
def admin_page(browser, live_server):
    """A second browser, for the hub's staff, with its own cookies; in English, so that
    the admin's labels are predictable whatever language the sponsor's page speaks."""
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


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
