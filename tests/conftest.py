import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
