"""Each state's badge has its own colour, readable in white."""

import re
from pathlib import Path

from django.conf import settings

from projects.models import Status

CSS = Path(settings.BASE_DIR, "static", "css", "portal.css").read_text()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_state_has_its_own_colour_with_enough_contrast():
    colours = {}
    for status in Status:
        [colour] = re.findall(rf"\.status-{status.value} {{ background: (#[0-9a-f]{{6}}); }}", CSS)
        colours[status.value] = colour
        contrast = 1.05 / (luminance(colour) + 0.05)  # against white text
        assert contrast >= 4.5, (status, colour, contrast)
    assert len(set(colours.values())) == len(Status), colours
