"""Following a site's links as a reader would, for the tests that read every page."""

import re
from collections.abc import Callable, Iterator

# A code as the database stores it: lowercase words joined by underscores.
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
HIDDEN = re.compile(r"<script.*?</script>|<style.*?</style>", re.S)


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text, without tags, scripts or styles."""
    return re.sub(r"<[^>]*>", " ", HIDDEN.sub(" ", html))


def shape(path: str) -> str:
    """Pages of the same kind share a shape (`/my/projects/N/`): one of each is enough."""
    return re.sub(r"/(\d+|HDH-\d{4}-\d{4})/", "/N/", path)


def pages(
    client, start: str, *, follow: Callable[[str], bool], limit: int
) -> Iterator[tuple[str, str]]:
    """(address, HTML) of each page reached from `start` by the links `follow` accepts:
    each list once, each list filtered by one value, and one page of each shape."""
    seen: set[str] = set()
    seen_shapes: set[str] = set()
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield url, html
        for href in re.findall(r'href="(/[^"#]*)"', html):
            href = href.replace("&amp;", "&")
            path = href.split("?")[0]
            if not follow(href) or href.count("&"):
                continue
            key = shape(path) + ("?" if "?" in href else "")
            if key in seen_shapes and (shape(path) != path or "?" in href):
                continue
            seen_shapes.add(key)
            queue.append(href)
