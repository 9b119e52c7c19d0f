"""`{% language_versions as languages %}`: the current page in each language of the portal.

The pages people read are French at their plain address and English under /en/
(`i18n_patterns` in portal/urls.py): `translate_url` gives the same page, query string
kept, in the other language. The head names every version for search engines
(`hreflang`, absolute addresses at SITE_URL, the French one also as `x-default`) and
the language switcher links to the other one: a plain link, which keeps the page,
needs no script and no cookie (the address says the language).
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info, override

register = template.Library()


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str  # in its own language: "English", "Français"
    path: str  # the page in that language, with its query string
    current: bool

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path


@dataclass(frozen=True)
class LanguageVersions:
    translated: bool  # False: the page has one address (the admin, a missing page)
    versions: list[LanguageVersion]

    @property
    def others(self) -> list[LanguageVersion]:
        return [version for version in self.versions if not version.current]

    @property
    def default(self) -> LanguageVersion:
        return next(version for version in self.versions if version.code == settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def language_versions(context) -> LanguageVersions:
    """The page in each language. A page that exists at one address only (a missing
    page, one outside `i18n_patterns`) is not translated: the other language's
    version is its home page."""
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    current = get_language()
    paths = {code: translate_url(here, code) for code, _name in settings.LANGUAGES}
    translated = len(set(paths.values())) == len(paths)
    if not translated:
        for code in paths:
            if code != current:
                with override(code):
                    paths[code] = reverse("home")
    return LanguageVersions(
        translated=translated,
        versions=[
            LanguageVersion(
                code=code,
                name=get_language_info(code)["name_local"].capitalize(),
                path=path,
                current=code == current,
            )
            for code, path in paths.items()
        ],
    )
