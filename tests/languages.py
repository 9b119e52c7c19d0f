"""The pages people read are French at their plain address and English under /en/."""

from django.conf import settings


def in_language(url: str, language: str) -> str:
    """The page at `url` in `language` ("" for French, as an empty Accept-Language
    gave). `url` may already carry a language prefix: `reverse` gives one after a
    request to an English page, whose language stays active in the thread."""
    for code, _name in settings.LANGUAGES:
        if url.startswith(f"/{code}/"):
            url = url.removeprefix(f"/{code}")
    return url if language in ("", settings.LANGUAGE_CODE) else f"/{language}{url}"


def english_url(url: str) -> str:
    return in_language(url, "en")
