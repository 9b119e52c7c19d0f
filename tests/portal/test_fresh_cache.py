"""`{% fresh_cache %}`: a fragment kept per version and what it varies on, rendered
once per version; while another visitor renders the new version, the previous one
is served instead of rendering it twice."""

import hashlib

import pytest
from django.core.cache import cache
from django.template import Context, Template, TemplateSyntaxError

TEMPLATE = Template(
    "{% load fresh_cache %}{% fresh_cache 600 list version path %}"
    "{{ rows }} at {{ version }}{% endfresh_cache %}"
)


def render(version: str, rows: str = "rows", path: str = "/projects/") -> str:
    return TEMPLATE.render(Context({"version": version, "rows": rows, "path": path}))


def rendering_elsewhere(version: str, path: str = "/projects/") -> None:
    """Another visitor is rendering `version` of that fragment right now."""
    digest = hashlib.sha256(repr([path]).encode()).hexdigest()[:32]
    assert cache.add(f"fresh-cache:list:{digest}:rendering:{version}", 1, 30)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def test_a_fragment_is_kept_until_its_version_moves_on():
    assert render("1", rows="first") == "first at 1"
    assert render("1", rows="second") == "first at 1"
    assert render("2", rows="third") == "third at 2"


def test_each_value_of_what_it_varies_on_has_its_own_fragment():
    assert render("1", rows="all", path="/projects/") == "all at 1"
    assert render("1", rows="ai", path="/projects/?theme=ai") == "ai at 1"
    assert render("1", rows="again", path="/projects/") == "all at 1"


def test_while_another_visitor_renders_the_new_version_the_previous_one_is_served():
    render("1", rows="before")
    rendering_elsewhere("2")

    assert render("2", rows="after") == "before at 1"


def test_once_rendered_the_new_version_is_served_to_everyone():
    render("1", rows="before")
    assert render("2", rows="after") == "after at 2"
    # The rendering is over: nothing is left locked for the next version.
    assert render("3", rows="later") == "later at 3"


def test_a_fragment_never_rendered_is_rendered_even_while_another_visitor_renders_it():
    rendering_elsewhere("1")

    assert render("1", rows="first") == "first at 1"


def test_the_tag_needs_a_timeout_a_name_and_a_version():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load fresh_cache %}{% fresh_cache 600 list %}x{% endfresh_cache %}")
