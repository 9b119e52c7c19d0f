"""The English names of the themes and programme the hub reports on (seeded in French
by projects/migrations/0002), for the English pages of the demo."""

from projects.models import Programme, Theme

THEMES_EN = {
    "ai": "Artificial intelligence",
    "prevention": "Prevention",
    "covid-19": "Covid-19",
    "health-environment": "Health and environment",
    "boas": "Open Library of Health Algorithms",
}
PROGRAMMES_EN = {"unibase": "Unibase"}


def load_english_names() -> None:
    """Names the seeded themes and programme in English, where staff have not yet."""
    for model, names in ((Theme, THEMES_EN), (Programme, PROGRAMMES_EN)):
        for slug, name_en in names.items():
            model.objects.filter(slug=slug, name_en="").update(name_en=name_en)
