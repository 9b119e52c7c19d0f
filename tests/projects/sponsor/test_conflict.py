"""Two team members editing at once never silently overwrite each other."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from projects import services
from projects.models import Project


def edit(client, project, version, **fields):
    return client.post(
        reverse("my:project-edit", kwargs={"pk": project.pk}),
        {
            "title": project.title,
            "edit_version": version,
            "save": "1",
            "bases-TOTAL_FORMS": "0",
            "bases-INITIAL_FORMS": "0",
            **fields,
        },
    )


@pytest.mark.django_db
def test_the_second_save_is_refused_and_its_text_kept_on_the_page(client, owner, member, draft):
    loaded_version = draft.edit_version
    client.force_login(owner)
    assert edit(client, draft, loaded_version, purpose="Texte d'Alice").status_code == 302

    client.force_login(member)
    response = edit(client, draft, loaded_version, purpose="Texte de Bob")

    assert response.status_code == 200
    assert response.context["form"]["purpose"].value() == "Texte de Bob"
    assert response.context["conflict"].purpose == "Texte d'Alice"
    assert "Texte d&#x27;Alice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.purpose == "Texte d'Alice"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_racing_on_postgresql_let_exactly_one_through(owner, member, organisation):
    project = services.project_create(owner=owner)
    version = project.edit_version
    barrier = threading.Barrier(2)
    outcomes = []

    def save(text: str) -> None:
        try:
            barrier.wait(timeout=5)

            def write():
                Project.objects.filter(pk=project.pk).update(purpose=text)

            services.project_save_content(project=project, expected_version=version, save=write)
            outcomes.append(("saved", text))
        except services.EditConflict:
            outcomes.append(("conflict", text))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("Alice", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    saved_text = next(text for kind, text in outcomes if kind == "saved")
    project.refresh_from_db()
    assert project.purpose == saved_text
    assert project.edit_version == version + 1


@pytest.mark.django_db
def test_a_new_application_has_no_version_to_conflict_with(client, owner):
    """Whatever version a new application's form posts (here one tampered with), there
    is no earlier save to conflict with: the draft is saved, never a 500."""
    client.force_login(owner)

    response = client.post(
        reverse("my:project-new"),
        {
            "title": "Parcours de soins",
            "edit_version": "7",
            "save": "1",
            "bases-TOTAL_FORMS": "0",
            "bases-INITIAL_FORMS": "0",
        },
    )

    project = Project.objects.get()
    assert response.status_code == 302
    assert project.title == "Parcours de soins"
