"""French identifiers of sponsor organisations, checked by their key before a hub
administrator verifies the organisation against the official registers.

- SIREN (INSEE's register of companies, associations and public bodies): nine
  digits, the last a Luhn key (python-stdnum's `fr.siren`).
- FINESS (establishments of health and social care): nine characters, the
  département first (`2A`/`2B` for Corsica), the last a Luhn key over the
  digits. Corsican numbers carry letters the Luhn key cannot weigh: only
  their format is checked.
- RNSR (research units): the year of creation, five digits, then a key letter,
  the number modulo 23 in the alphabet without I, O and Q.
"""

import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.fr import siren

RNSR_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"
FINESS_FORMAT = re.compile(r"(?:\d{2}|2A|2B)\d{7}")
RNSR_FORMAT = re.compile(r"(?:19|20)\d{7}[A-Z]")


def normalise(kind: str, value: str) -> str:
    """The identifier without spaces, dots or dashes, in capitals; a ValidationError
    naming what is wrong when its format or key is not right."""
    compact = re.sub(r"[\s.\-]", "", value or "").upper()
    if not kind or not compact:
        raise ValidationError(
            _("Give both the type of identifier and the number."), code="incomplete"
        )
    if kind == "siren":
        if not siren.is_valid(compact):
            raise ValidationError(
                _("A SIREN number has nine digits and a valid key; check it."), code="siren"
            )
    elif kind == "finess":
        if not FINESS_FORMAT.fullmatch(compact) or (
            compact.isdigit() and not luhn.is_valid(compact)
        ):
            raise ValidationError(
                _("A FINESS number has nine characters and a valid key; check it."),
                code="finess",
            )
    elif kind == "rnsr":
        if not RNSR_FORMAT.fullmatch(compact) or rnsr_key(compact[:9]) != compact[9]:
            raise ValidationError(
                _("An RNSR number has nine digits and a key letter (199812965F); check it."),
                code="rnsr",
            )
    else:
        raise ValidationError(_("Unknown type of identifier."), code="kind")
    return compact


def rnsr_key(digits: str) -> str:
    return RNSR_KEYS[int(digits) % len(RNSR_KEYS)]


def siren_with_key(first_eight: str) -> str:
    """A SIREN number completed with its key: used to give demo organisations valid ones."""
    return first_eight + luhn.calc_check_digit(first_eight)


# A DOI as Crossref recommends matching it: "10.", a registrant of four to nine
# digits, a slash and a suffix of printable characters without spaces.
DOI_FORMAT = re.compile(r"10\.\d{4,9}/[^\s]+")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def doi_normalise(value: str) -> str:
    """The DOI alone (10.1234/abc), from the DOI or its doi.org link; a ValidationError
    when its syntax is not a DOI's. DOIs are case-insensitive: kept as written."""
    compact = DOI_PREFIXES.sub("", (value or "").strip())
    if not DOI_FORMAT.fullmatch(compact):
        raise ValidationError(
            _(
                "A DOI starts with 10., a registrant number, a slash and a suffix, "
                "for example 10.1038/s41586-020-2649-2."
            ),
            code="doi",
        )
    return compact


def validate_doi(value: str) -> None:
    doi_normalise(value)


@functools.cache
def _spdx():
    # The SPDX licence list shipped with license-expression: read once per process.
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def spdx_normalise(value: str) -> str:
    """An SPDX licence expression in its canonical spelling ("mit or apache-2.0" →
    "MIT OR Apache-2.0"); a ValidationError naming the unknown identifiers."""
    try:
        info = _spdx().validate((value or "").strip())
    except Exception:  # noqa: BLE001 - the library fails on some half expressions ("MIT AND")
        info = None
    if info is None or info.errors or not info.normalized_expression:
        unknown = ", ".join(info.invalid_symbols) if info else ""
        if unknown:
            message = _(
                "Not in the SPDX licence list: %(unknown)s. Use an identifier "
                "such as MIT, Apache-2.0, EUPL-1.2 or CECILL-2.1."
            )
        else:
            message = _(
                "Not an SPDX licence expression. Use an identifier such as MIT, "
                "Apache-2.0, EUPL-1.2 or CECILL-2.1."
            )
        raise ValidationError(message, code="spdx", params={"unknown": unknown})
    return info.normalized_expression


def validate_spdx(value: str) -> None:
    spdx_normalise(value)


SPDX_OPERATORS = {"AND", "OR", "WITH"}
SPDX_PAGE = "https://spdx.org/licenses/{}.html"


def spdx_parts(expression: str) -> list[tuple[str, str]]:
    """A licence expression as the public reads it: each part with the address of its
    SPDX page ("" for an operator, a bracket or a space), so that each identifier of
    "MIT OR Apache-2.0" links to its own licence text."""
    parts = []
    for token in re.split(r"(\s+|[()])", expression or ""):
        if not token:
            continue
        plain = token.isspace() or token in "()" or token.upper() in SPDX_OPERATORS
        parts.append((token, "" if plain else SPDX_PAGE.format(token)))
    return parts
