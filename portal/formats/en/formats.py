"""The English pages' formats: Django's British English ones (25/10/2006, 25 Oct 2006,
grouping by commas). The portal's English readers are Europeans, for whom 06/01/2018 is
the 6th of January, never June the 1st as Django's default English (American) writes."""

from django.conf.locale.en_GB.formats import *  # type: ignore[import-untyped]  # noqa: F403
