import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x7#kq9!vz2@lm4$np8^rt6&wy3*bd5(hj1)fg0-ce_sa+ui=ox;",
    "ALLOWED_HOSTS": "portail.health-data-hub.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "HTTPS", "SECRET_KEY", "REDIS_URL", "ADMINS", "STAFF_MFA_REQUIRED"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_silent_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = run_manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def setting(name: str, env: dict[str, str]) -> str:
    result = run_manage(
        "shell", "-v0", "-c", f"from django.conf import settings; print(settings.{name})", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_counts_sign_ins_in_redis_and_development_in_memory():
    production = setting("CACHES", env=PRODUCTION_ENV)
    development = setting("CACHES", env={**PRODUCTION_ENV, "DEBUG": "1"})
    development_with_redis = setting(
        "CACHES", env={**PRODUCTION_ENV, "DEBUG": "1", "REDIS_URL": "redis://cache:6379/2"}
    )

    assert "RedisCache" in production and "redis://127.0.0.1:6379/0" in production
    assert "LocMemCache" in development
    assert "redis://cache:6379/2" in development_with_redis


def test_admins_and_the_trusted_proxy_count_come_from_the_environment():
    env = {
        **PRODUCTION_ENV,
        "ADMINS": 'Équipe technique <ops@hub.example>, "Doe, Jane" <jane@hub.example>, a@b.fr',
        "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
    }

    assert setting("ADMINS", env=env) == (
        "['Équipe technique <ops@hub.example>', '\"Doe, Jane\" <jane@hub.example>', 'a@b.fr']"
    )
    assert setting("ALLAUTH_TRUSTED_PROXY_COUNT", env=env) == "1"


def test_a_bad_admin_address_fails_loudly():
    result = run_manage("check", env={**PRODUCTION_ENV, "ADMINS": "ops@hub.example, nonsense"})

    assert result.returncode != 0
    assert "ADMINS must be comma-separated email addresses" in result.stderr


def test_the_api_rate_limit_comes_from_the_environment_and_a_bad_one_fails_loudly():
    env = {**PRODUCTION_ENV, "API_RATE_LIMIT": "600/hour", "ALLAUTH_TRUSTED_PROXY_COUNT": "2"}

    assert setting("API_RATE_LIMIT", env=env) == "600/hour"
    assert setting("REST_FRAMEWORK['NUM_PROXIES']", env=env) == "2"
    result = run_manage("check", env={**PRODUCTION_ENV, "API_RATE_LIMIT": "many"})
    assert result.returncode != 0
    assert "API_RATE_LIMIT must be a number of requests" in result.stderr


def test_staff_need_a_second_factor_unless_debug_or_turned_off():
    assert setting("STAFF_MFA_REQUIRED", env=PRODUCTION_ENV) == "True"
    assert setting("STAFF_MFA_REQUIRED", env={**PRODUCTION_ENV, "DEBUG": "1"}) == "False"
    assert (
        setting("STAFF_MFA_REQUIRED", env={**PRODUCTION_ENV, "STAFF_MFA_REQUIRED": "0"}) == "False"
    )


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "script-src 'self' 'nonce-" in policy


def test_a_replica_url_adds_the_replica_and_its_router_and_none_leaves_the_primary_alone():
    replica = {**PRODUCTION_ENV, "DATABASE_REPLICA_URL": "postgres://reader@replica.db:5433/portal"}

    assert setting("DATABASE_ROUTERS", env=PRODUCTION_ENV) == "[]"
    assert setting("DATABASES.keys()", env=PRODUCTION_ENV) == "dict_keys(['default'])"
    assert setting("DATABASE_ROUTERS", env=replica) == "['portal.replica.PrimaryReplicaRouter']"
    assert (
        setting(
            "DATABASES['replica']['HOST'], settings.DATABASES['replica']['TEST']['MIRROR']",
            env=replica,
        )
        == "replica.db default"
    )


def test_a_bucket_puts_the_attachments_in_an_s3_compatible_store_and_none_on_local_disk():
    bucket = {
        **PRODUCTION_ENV,
        "AWS_STORAGE_BUCKET_NAME": "hdh-attachments",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
        "AWS_S3_REGION_NAME": "fr-par",
    }

    local = setting("STORAGES['default']", env=PRODUCTION_ENV)
    shared = setting("STORAGES['default']", env=bucket)

    assert local == "{'BACKEND': 'django.core.files.storage.FileSystemStorage'}"
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in shared
    assert "'bucket_name': 'hdh-attachments'" in shared
    assert "'endpoint_url': 'https://s3.example.net'" in shared
    assert "'region_name': 'fr-par'" in shared
    assert "'default_acl': 'private'" in shared
    # The static files stay with whitenoise, whatever holds the attachments.
    assert "whitenoise" in setting("STORAGES['staticfiles']", env=bucket)
