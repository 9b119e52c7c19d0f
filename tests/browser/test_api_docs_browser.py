"""The API's interactive documentation in a real Chromium: Swagger UI runs under the
site's Content-Security-Policy (the `page` fixture fails on any violation) and asks
nothing of any other server."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_docs_show_every_operation_from_local_assets_only(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/v1/docs/")

    for path in ["/api/v1/projects/", "/api/v1/bases/{slug}/", "/api/v1/stats/{year}/"]:
        expect(page.get_by_text(path, exact=True).first).to_be_visible()
    page.get_by_text("/api/v1/processing-times/", exact=True).first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlsplit(live_server.url).netloc}
