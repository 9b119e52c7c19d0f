import time
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from catalog.models import DataHolder, HolderMembership
from projects.models import Organisation, Project, Status
from tests.factories import OrganisationFactory, UserFactory, make_project


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A `replica` database in every run, as `DATABASE_REPLICA_URL` gives: a TEST
    mirror of the primary (the same test database through its own connection). Only
    tests that install the router (`portal.replica`) and ask for it use it."""
    from django.conf import settings
    from django.db import connections

    if "replica" not in settings.DATABASES:
        primary = connections.settings["default"]
        settings.DATABASES["replica"] = {
            **primary,
            "TEST": {**primary["TEST"], "MIRROR": "default"},
        }


@pytest.fixture(scope="session", autouse=True)
def _a_redis_database_per_worker(worker_id):
    """`make test` runs the suite in two processes (pytest-xdist): each clears and
    fills its own Redis database, the one of `REDIS_URL` plus its number (gw0: +1),
    and so do the servers and workers its tests start (`tests.processes`)."""
    if worker_id == "master":
        yield
        return
    from django.conf import settings
    from django.test.utils import override_settings

    server, _, number = settings.CACHES["default"]["LOCATION"].rpartition("/")
    own = f"{server}/{(int(number or 0) + 1 + int(worker_id.removeprefix('gw'))) % 16}"
    with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": own}}):
        yield


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


@pytest.fixture(autouse=True)
def _french_to_begin_with():
    """LocaleMiddleware leaves a request's language active in its thread: without
    this, after a test that read an English page, `reverse` would give the next test
    English addresses (/en/...)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def english():
    """For tests that read a message's English wording; French is the default."""
    with translation.override("en"):
        yield


@pytest.fixture
def demo_catalog(db):
    """The seven bases of the 2023 annual report, as `make run` shows them."""
    from portal.demo.catalog import load_catalog

    load_catalog()


# Staff accounts must have a second factor (STAFF_MFA_REQUIRED, on in the tests as in
# production): the staff personas get an authenticator app with this secret, and a
# confirmed address as real staff accounts have.
STAFF_TOTP_SECRET = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"


def with_totp(user, secret: str = STAFF_TOTP_SECRET):
    """The user with an authenticator app (TOTP) activated, as allauth activates it."""
    TOTP.activate(user, secret)
    return user


def totp_code(secret: str = STAFF_TOTP_SECRET, steps: int = 0) -> str:
    """The code an authenticator app shows now (or `steps` periods away) for `secret`.

    The portal accepts the codes of one period either side, so a code computed
    here is still valid when the request arrives, even across a period boundary.
    """
    counter = int(time.time()) // 30 + steps
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def staff(db):
    """A superuser."""
    return with_totp(
        verified(UserFactory(email="stella@hub.example", is_staff=True, is_superuser=True))
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


# Personas: the owner and a member of a project's team, an outsider from another
# organisation, the hub's staff (a reviewer, a hub administrator, staff without a
# group, a superuser), members of data holders, and anonymous visitors.


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
    user = with_totp(
        verified(UserFactory(email="rita@hub.example", first_name="Rita", is_staff=True))
    )
    user.groups.add(Group.objects.get(name="reviewers"))
    return user


@pytest.fixture
def administrator(db):
    user = with_totp(
        verified(UserFactory(email="hugo@hub.example", first_name="Hugo", is_staff=True))
    )
    user.groups.add(Group.objects.get(name="hub administrators"))
    return user


@pytest.fixture
def staff_without_group(db):
    """Staff status and nothing else: sees nothing of the review nor of the accounts."""
    return with_totp(
        verified(UserFactory(email="sam@hub.example", first_name="Sam", is_staff=True))
    )


@pytest.fixture
def organisation(owner, member) -> Organisation:
    organisation = OrganisationFactory(name="CHU Nord")
    organisation.members.add(owner, member)
    return organisation


def holder_member_of(acronym: str, email: str, first_name: str):
    """A person who acts for the demo catalog's holder `acronym`."""
    user = verified(UserFactory(email=email, first_name=first_name))
    HolderMembership.objects.create(holder=DataHolder.objects.get(acronym=acronym), user=user)
    return user


@pytest.fixture
def holder_member(demo_catalog):
    """A member of Unicancer, the data holder of ESME, which the test applications ask for."""
    return holder_member_of("Unicancer", "hana@unicancer.example", "Hana")


@pytest.fixture
def other_holder_member(demo_catalog):
    """A member of another data holder: AP-HP, which holds BNDMR."""
    return holder_member_of("AP-HP", "paul@aphp.example", "Paul")


@pytest.fixture
def running(owner, member, organisation):
    """A project in progress, with a reference: results may be declared on it."""
    project = make_project(
        owner=owner, members=[member], title="Parcours de soins", sponsor=organisation
    )
    Project.objects.filter(pk=project.pk).update(
        status=Status.IN_PROGRESS, reference="HDH-2025-0007", launched_on=date(2025, 6, 1)
    )
    project.refresh_from_db()
    return project
