"""`{% fresh_cache %}`: Django's `{% cache %}` for a fragment that a version makes stale,
rendered once per version however many visitors ask at the same moment.

    {% fresh_cache 600 name version vary_on... %} ... {% endfresh_cache %}

The fragment is kept under `name` and the vary-on values, with the version it was
rendered at. A visitor who finds it at the current version gets it. After the
version moves on, the first visitor renders it again; a visitor who asks while that
rendering is under way gets the previous version's fragment rather than rendering
the same thing once more, so a change seen by many visitors at once costs one
rendering, not one per worker. A fragment never rendered is rendered by whoever asks.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.template.base import FilterExpression, NodeList, Parser, Token

register = template.Library()

RENDERING_TIMEOUT = 30  # seconds: a rendering that takes longer is not waited for


class FreshCacheNode(template.Node):
    def __init__(
        self,
        nodelist: NodeList,
        timeout: FilterExpression,
        name: str,
        version: FilterExpression,
        vary_on: list[FilterExpression],
    ):
        self.nodelist = nodelist
        self.timeout = timeout
        self.name = name
        self.version = version
        self.vary_on = vary_on

    def render(self, context) -> str:
        vary = repr([str(value.resolve(context)) for value in self.vary_on])
        key = f"fresh-cache:{self.name}:{hashlib.sha256(vary.encode()).hexdigest()[:32]}"
        version = str(self.version.resolve(context))
        found = cache.get(key)
        if found is not None and found["version"] == version:
            return found["html"]
        rendering = f"{key}:rendering:{version}"
        if found is not None and not cache.add(rendering, 1, RENDERING_TIMEOUT):
            return found["html"]
        html = self.nodelist.render(context)
        cache.set(key, {"version": version, "html": html}, int(self.timeout.resolve(context)))
        cache.delete(rendering)
        return html


@register.tag("fresh_cache")
def do_fresh_cache(parser: Parser, token: Token) -> FreshCacheNode:
    bits = token.split_contents()
    if len(bits) < 4:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes a timeout, a fragment name and a version, then what it varies on."
        )
    nodelist = parser.parse(("endfresh_cache",))
    parser.delete_first_token()
    return FreshCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        bits[2],
        parser.compile_filter(bits[3]),
        [parser.compile_filter(bit) for bit in bits[4:]],
    )
