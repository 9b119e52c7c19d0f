import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from projects.models import Organisation
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages and counts are keyed by the data; each test starts from nothing."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english():
    """For tests that read a message's English wording; French is the default."""
    with translation.override("en"):
        yield


@pytest.fixture
def demo_catalog(db):
    """The seven bases of the 2023 annual report, as `make run` shows them."""
    from catalog.demo import load_catalog

    load_catalog()


@pytest.fixture
def staff(db):
    return UserFactory(email="stella@hub.example", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# Personas: the owner and a member of a project's team, an outsider from another
# organisation, a reviewer from the hub's staff, and anonymous visitors.


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def owner(db):
    return verified(UserFactory(email="alice@chu-nord.example", first_name="Alice"))


@pytest.fixture
def member(db):
    return verified(UserFactory(email="bob@chu-nord.example", first_name="Bob"))


@pytest.fixture
def outsider(db):
    user = verified(UserFactory(email="charlie@labo-sud.example", first_name="Charlie"))
    OrganisationFactory(name="Laboratoire Sud").members.add(user)
    return user


@pytest.fixture
def reviewer(db):
    user = UserFactory(email="rita@hub.example", first_name="Rita", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


@pytest.fixture
def administrator(db):
    user = UserFactory(email="hugo@hub.example", first_name="Hugo", is_staff=True)
    user.groups.add(Group.objects.get(name="hub administrators"))
    return user


@pytest.fixture
def organisation(owner, member) -> Organisation:
    organisation = OrganisationFactory(name="CHU Nord")
    organisation.members.add(owner, member)
    return organisation
