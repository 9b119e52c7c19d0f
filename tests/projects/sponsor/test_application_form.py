"""The application form by kind: its sections and their states, the required marks,
what a submission of each kind needs, the EHDS fields of an access application, and
the requested bases added and removed without saving first."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.models import Base
from portal.demo.catalog import load_catalog
from projects import services, snapshots
from projects.models import Project, RequestedBase, Status, Theme
from tests.factories import make_project
from tests.projects.conftest import EHDS_FIELDS

pytestmark = pytest.mark.django_db

EMPTY_FORMSET = {"bases-TOTAL_FORMS": "0", "bases-INITIAL_FORMS": "0"}


def edit_url(project):
    return reverse("my:project-edit", kwargs={"pk": project.pk})


def as_post(fields: dict) -> dict:
    """Model values as a browser posts them: a ticked box is "on", an unticked one absent."""
    return {
        name: "on" if value is True else value
        for name, value in fields.items()
        if value is not False
    }


@pytest.fixture
def data_request(owner, member, organisation):
    """A complete data request: a question, the statistics wanted, one base."""
    load_catalog()
    project = make_project(
        owner=owner,
        members=[member],
        kind=Project.Kind.REQUEST,
        title="Passages aux urgences des enfants",
        summary="Combien d'enfants passent aux urgences pour asthme, par région ?",
        purpose="Mesurer les écarts entre régions pour orienter la prévention.",
        statistics_wanted="Passages par région, par année et par classe d'âge.",
        sponsor=organisation,
    )
    project.themes.add(Theme.objects.get(slug="prevention"))
    RequestedBase.objects.create(
        project=project,
        base=Base.objects.get(slug="oscour"),
        justification="Seule source des passages aux urgences.",
        period_start=date(2019, 1, 1),
        period_end=date(2023, 12, 31),
    )
    return project


# What a submission needs, per kind.


def test_an_access_application_needs_the_ehds_fields(complete_draft):
    assert snapshots.submission_problems(complete_draft) == {}

    for name in EHDS_FIELDS:
        empty = False if isinstance(EHDS_FIELDS[name], bool) else ""
        Project.objects.filter(pk=complete_draft.pk).update(**{name: empty})
    problems = snapshots.submission_problems(Project.objects.get(pk=complete_draft.pk))

    assert set(problems) == set(EHDS_FIELDS)
    with translation.override("fr"):
        problems = snapshots.submission_problems(Project.objects.get(pk=complete_draft.pk))
    assert problems["data_users"] == [
        "« Qui accédera aux données » est obligatoire pour déposer le dossier."
    ]
    assert problems["accepts_no_harm"] == [
        "Acceptez la déclaration « Aucun usage qui pourrait stigmatiser ou nuire »."
    ]


def test_another_environment_must_be_named_and_a_reference_methodology_declared(
    complete_draft,
):
    complete_draft.environment = Project.Environment.OTHER
    complete_draft.legal_route = Project.LegalRoute.MR004
    complete_draft.save()

    assert set(snapshots.submission_problems(complete_draft)) == {
        "environment_name",
        "conformity_declared",
    }

    complete_draft.environment_name = "Bulle sécurisée du CHU Nord"
    complete_draft.conformity_declared = True
    complete_draft.save()
    assert snapshots.submission_problems(complete_draft) == {}


def test_a_data_request_needs_its_question_statistics_and_bases_and_nothing_else(
    data_request, owner
):
    # No methodology, funding, planned start, EHDS field nor protocol.
    assert snapshots.submission_problems(data_request) == {}

    Project.objects.filter(pk=data_request.pk).update(statistics_wanted="", purpose=" ")
    data_request.requested_bases.update(justification="")
    with translation.override("fr"):
        problems = snapshots.submission_problems(Project.objects.get(pk=data_request.pk))

    assert set(problems) == {"statistics_wanted", "purpose", "bases"}
    assert problems["purpose"] == [
        "« Question à laquelle répondent les statistiques » est obligatoire pour déposer "
        "le dossier."
    ]


def test_a_complete_data_request_is_submitted_without_a_protocol(data_request, owner):
    project = services.project_submit(project=data_request, actor=owner)

    assert project.status == Status.SUBMITTED
    version = project.versions.get()
    assert version.content["kind"] == "request"
    assert version.content["statistics_wanted"].startswith("Passages par région")
    assert [field for field, _label in snapshots.fields_for(version.content)] == [
        "kind",
        "title",
        "summary",
        "purpose",
        "statistics_wanted",
        "sponsor",
        "themes",
        "programme",
        "bases",
    ]


# The form: sections, states, marks.


def test_the_section_menu_names_each_section_with_its_state_as_text(client, owner, draft):
    client.force_login(owner)

    page = client.get(edit_url(draft))

    sections = page.context["sections"]
    assert [section["slug"] for section in sections] == [
        "project",
        "purpose",
        "sponsor",
        "bases",
        "access",
        "legal",
        "declarations",
        "attachments",
    ]
    # Only a title and a sponsor: nothing complete yet.
    assert not any(section["complete"] for section in sections)
    content = page.content.decode()
    start = content.index('class="application-sections')
    menu = content[start : content.index("</nav>", start)]
    assert '<a href="#section-legal">Voie réglementaire</a>' in menu
    assert menu.count("incomplète") == 8
    for section in sections:
        assert f'id="section-{section["slug"]}"' in content


def test_a_section_turns_complete_once_saved_with_what_it_needs(client, owner, draft):
    client.force_login(owner)
    data = {
        "title": draft.title,
        "sponsor": draft.sponsor_id,
        "legal_route": "MR-004",
        "edit_version": draft.edit_version,
        "save": "1",
        **EMPTY_FORMSET,
    }

    client.post(edit_url(draft), data)
    states = {s["slug"]: s["complete"] for s in client.get(edit_url(draft)).context["sections"]}
    assert not states["legal"]  # a reference methodology needs its declaration

    client.post(edit_url(draft), data | {"conformity_declared": "on", "edit_version": 2})
    page = client.get(edit_url(draft))
    states = {s["slug"]: s["complete"] for s in page.context["sections"]}
    assert states["legal"]
    assert not states["project"]
    assert "complète" in page.content.decode()


def test_required_fields_are_marked_with_a_legend_and_aria_required(client, owner, draft):
    client.force_login(owner)

    content = client.get(edit_url(draft)).content.decode()

    assert "Nécessaire pour déposer le dossier" in content
    for name in ("title", "methodology", "data_users", "legal_route"):
        tag = content[content.index(f'name="{name}"') - 200 : content.index(f'id="id_{name}"')]
        assert 'aria-required="true"' in tag, name
    # A box says it in its label, which may not carry `aria-required`.
    box = content[content.index('id="id_accepts_no_harm"') :]
    assert "(nécessaire pour déposer)" in box[: box.index("</label>")]
    # Optional, or needed only for another environment: no mark.
    for name in ("programme", "data_processor", "environment_name"):
        tag = content[content.index(f'name="{name}"') : content.index(f'id="id_{name}"')]
        assert "aria-required" not in tag, name
    # The empty line of the bases is not marked required.
    row = content[content.index('name="bases-0-base"') : content.index('id="id_bases-0-base"')]
    assert "required" not in row


def test_the_summary_of_what_is_missing_links_to_each_field(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        edit_url(draft),
        {"title": draft.title, "edit_version": draft.edit_version, "submit": "1"} | EMPTY_FORMSET,
    )

    content = response.content.decode()
    summary = content[
        content.index("alert-warning") : content.index("</ul>", content.index("alert-warning"))
    ]
    assert '<a href="#id_data_users">« Qui accédera aux données » est obligatoire' in summary
    assert '<a href="#id_environment_0">' in summary
    assert '<a href="#section-attachments">Joignez le protocole de l&#x27;étude.</a>' in summary


# The new fields saved, and only those of the kind.


def test_the_ehds_fields_are_saved_from_the_form(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        edit_url(draft),
        as_post(EHDS_FIELDS)
        | {
            "title": draft.title,
            "sponsor": draft.sponsor_id,
            "environment": "other",
            "environment_name": "Bulle sécurisée du CHU Nord",
            "edit_version": draft.edit_version,
            "save": "1",
        }
        | EMPTY_FORMSET,
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data_users == EHDS_FIELDS["data_users"]
    assert (draft.environment, draft.environment_name) == ("other", "Bulle sécurisée du CHU Nord")
    assert draft.legal_route == "cnil"
    assert draft.accepts_no_reidentification and draft.accepts_no_harm


def test_what_one_choice_alone_asks_for_is_not_kept_for_another(client, owner, draft):
    Project.objects.filter(pk=draft.pk).update(
        environment="other", environment_name="Bulle", legal_route="MR-004"
    )
    client.force_login(owner)

    client.post(
        edit_url(draft),
        {
            "title": draft.title,
            "sponsor": draft.sponsor_id,
            "environment": "hub",
            "environment_name": "Bulle",
            "legal_route": "cnil",
            "conformity_declared": "on",
            "edit_version": draft.edit_version,
            "save": "1",
        }
        | EMPTY_FORMSET,
    )

    draft.refresh_from_db()
    assert (draft.environment, draft.environment_name) == ("hub", "")
    assert (draft.legal_route, draft.conformity_declared) == ("cnil", False)


def test_a_data_request_form_is_shorter_and_its_save_leaves_other_fields_alone(
    client, owner, data_request
):
    Project.objects.filter(pk=data_request.pk).update(
        methodology="Écrite avant", accepts_no_harm=True
    )
    client.force_login(owner)

    page = client.get(edit_url(data_request))
    assert list(page.context["form"].fields) == [
        "title",
        "summary",
        "purpose",
        "statistics_wanted",
        "sponsor",
        "themes",
        "programme",
        "new_sponsor",
        "new_sponsor_identifier_kind",
        "new_sponsor_identifier",
        "edit_version",
    ]
    content = page.content.decode()
    assert "Question à laquelle répondent les statistiques" in content
    assert 'name="protocol"' not in content and 'name="methodology"' not in content

    response = client.post(
        edit_url(data_request),
        {
            "title": "Nouveau titre",
            "sponsor": data_request.sponsor_id,
            "statistics_wanted": "Taux pour 10 000 enfants.",
            "methodology": "Posté quand même",
            "funding": "Posté quand même",
            "data_users": "Posté quand même",
            "planned_start": "2030-01-01",
            "edit_version": data_request.edit_version,
            "save": "1",
        }
        | EMPTY_FORMSET,
    )

    assert response.status_code == 302
    data_request.refresh_from_db()
    assert data_request.title == "Nouveau titre"
    assert data_request.statistics_wanted == "Taux pour 10 000 enfants."
    assert data_request.methodology == "Écrite avant"
    assert (data_request.funding, data_request.data_users) == ("", "")
    assert data_request.planned_start is None
    # The declarations are not on a request's form: not unticked by its save.
    assert data_request.accepts_no_harm


# The requested bases, added and removed without saving first.


def test_add_a_base_returns_the_next_row_and_counts_it(client, owner):
    client.force_login(owner)

    response = client.get(reverse("my:base-row"), {"bases-TOTAL_FORMS": "2"})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="bases-2-base"' in content and 'name="bases-2-DELETE"' in content
    assert (
        '<input type="hidden" name="bases-TOTAL_FORMS" value="3" id="id_bases-TOTAL_FORMS" '
        'data-hx-swap-oob="true">'
    ) in content
    assert "aria-required" not in content


@pytest.mark.parametrize("index", ["", "-1", "1000", "deux"])
def test_add_a_base_refuses_an_index_out_of_the_formset(client, owner, index):
    client.force_login(owner)

    response = client.get(reverse("my:base-row"), {"bases-TOTAL_FORMS": index})

    assert response.status_code == 400


def row(index: int, slug: str, **fields) -> dict:
    values = {
        "base": Base.objects.get(slug=slug).pk if slug else "",
        "justification": "Nécessaire.",
        "period_start": "2018-01-01",
        "period_end": "2022-12-31",
    } | fields
    return {f"bases-{index}-{name}": value for name, value in values.items()}


def test_rows_added_and_one_removed_are_saved_at_once_and_an_empty_row_is_ignored(
    client, owner, draft
):
    load_catalog()
    client.force_login(owner)

    response = client.post(
        edit_url(draft),
        {
            "title": draft.title,
            "sponsor": draft.sponsor_id,
            "edit_version": draft.edit_version,
            "save": "1",
            "bases-TOTAL_FORMS": "4",
            "bases-INITIAL_FORMS": "0",
            **row(0, "esme"),
            **row(1, "oscour", DELETE="on"),
            **row(2, "bndmr"),
            **row(3, "", justification="", period_start="", period_end=""),
        },
    )

    assert response.status_code == 302
    assert sorted(draft.requested_bases.values_list("base__slug", flat=True)) == [
        "bndmr",
        "esme",
    ]


def test_an_existing_base_is_removed_by_its_remove_box(client, owner, complete_draft):
    client.force_login(owner)
    requested = complete_draft.requested_bases.get()

    client.post(
        edit_url(complete_draft),
        {
            "title": complete_draft.title,
            "sponsor": complete_draft.sponsor_id,
            "edit_version": complete_draft.edit_version,
            "save": "1",
            "bases-TOTAL_FORMS": "2",
            "bases-INITIAL_FORMS": "1",
            "bases-0-id": requested.pk,
            **row(0, "esme", DELETE="on"),
            **row(1, "oscour"),
        },
    )

    assert list(complete_draft.requested_bases.values_list("base__slug", flat=True)) == ["oscour"]


def test_a_base_another_saved_line_still_holds_is_refused_not_a_server_error(
    client, owner, complete_draft
):
    """Two saved lines whose bases are swapped in one save, or a line that repeats a
    saved one it does not show: refused with a message, the database untouched."""
    load_catalog()
    esme = complete_draft.requested_bases.get()
    oscour = complete_draft.requested_bases.create(
        base=Base.objects.get(slug="oscour"), justification="Urgences."
    )
    client.force_login(owner)
    common = {
        "title": complete_draft.title,
        "sponsor": complete_draft.sponsor_id,
        "edit_version": complete_draft.edit_version,
        "save": "1",
    }

    swapped = client.post(
        edit_url(complete_draft),
        {
            **common,
            "bases-TOTAL_FORMS": "2",
            "bases-INITIAL_FORMS": "2",
            "bases-0-id": esme.pk,
            **row(0, "oscour"),
            "bases-1-id": oscour.pk,
            **row(1, "esme"),
        },
    )
    repeated = client.post(
        edit_url(complete_draft),
        {**common, "bases-TOTAL_FORMS": "1", "bases-INITIAL_FORMS": "0", **row(0, "esme")},
    )

    with translation.override("fr"):
        assert swapped.status_code == repeated.status_code == 200
        assert "OSCOUR est encore demandée sur une autre ligne" in swapped.content.decode()
        assert "ESME est encore demandée sur une autre ligne" in repeated.content.decode()
    assert dict(complete_draft.requested_bases.values_list("pk", "base__slug")) == {
        esme.pk: "esme",
        oscour.pk: "oscour",
    }


@pytest.mark.parametrize(
    ("second", "field", "message"),
    [
        (("esme", {}), "base", "ESME est déjà demandée plus haut : une ligne par base."),
        (
            ("oscour", {"period_start": "2022-01-01", "period_end": "2020-01-01"}),
            "period_end",
            "La période ne peut pas se terminer avant de commencer.",
        ),
        (
            ("", {"base": "999999"}),
            "base",
            "Cette base n’est pas au catalogue : choisissez-en une dans la liste.",
        ),
        (("", {}), "base", "Choisissez la base que demande cette ligne, ou retirez la ligne."),
    ],
    ids=["duplicate", "period", "unknown", "no-base"],
)
def test_bad_rows_are_refused_with_a_message_keeping_every_entry(
    client, owner, draft, second, field, message
):
    load_catalog()
    slug, fields = second
    rows = {**row(0, "esme"), **row(1, slug, **fields)}
    client.force_login(owner)

    response = client.post(
        edit_url(draft),
        {
            "title": "Titre changé",
            "sponsor": draft.sponsor_id,
            "edit_version": draft.edit_version,
            "save": "1",
            "bases-TOTAL_FORMS": "2",
            "bases-INITIAL_FORMS": "0",
            **rows,
        },
    )

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[1].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    # Every entry stays on the page; nothing is saved.
    assert response.context["form"]["title"].value() == "Titre changé"
    assert formset.forms[0]["justification"].value() == "Nécessaire."
    draft.refresh_from_db()
    assert draft.title == "Étude des parcours"
    assert not draft.requested_bases.exists()


def test_without_javascript_add_a_base_saves_and_comes_back_to_the_bases(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        edit_url(draft),
        {
            "title": draft.title,
            "edit_version": draft.edit_version,
            "add_base": "1",
        }
        | EMPTY_FORMSET,
    )

    assert response.status_code == 302
    assert response["Location"] == f"{edit_url(draft)}#section-bases"


# Where the new fields are shown.


def test_versions_and_the_sponsor_page_show_the_new_fields_by_their_labels(
    client, owner, complete_draft
):
    Project.objects.filter(pk=complete_draft.pk).update(
        legal_route="MR-004", conformity_declared=True
    )
    services.project_submit(project=Project.objects.get(pk=complete_draft.pk), actor=owner)
    client.force_login(owner)

    version = client.get(reverse("my:version", kwargs={"pk": complete_draft.pk, "number": 1}))
    project = client.get(reverse("my:project", kwargs={"pk": complete_draft.pk}))

    for page in (version, project):
        content = page.content.decode()
        assert "Plateforme sécurisée du hub" in content
        assert "Méthodologie de référence MR-004" in content
        assert "Dr Durand (CHU Nord)" in content
    assert "Demande d’accès aux données" in version.content.decode()


def test_a_version_from_before_the_kinds_reads_as_an_access_application(english):
    old = {"title": "Avant", "methodology": "Cohorte."}

    assert snapshots.as_lines("kind", old.get("kind")) == ["Data access application"]
    assert snapshots.as_lines("environment", "hub") == ["The hub's secure platform"]
    assert snapshots.as_lines("accepts_no_harm", True) == ["Yes"]
    assert snapshots.as_lines("accepts_no_harm", None) == []
    assert "methodology" in dict(snapshots.fields_for(old))


def test_the_public_page_shows_the_environment_and_legal_route_not_the_people(
    client, owner, complete_draft
):
    project = services.project_submit(project=complete_draft, actor=owner)

    content = client.get(reverse("projects:public", args=[project.reference])).content.decode()

    assert "Plateforme sécurisée du hub" in content
    assert "Autorisation de la CNIL" in content
    assert "Dr Durand" not in content
    assert EHDS_FIELDS["planned_outputs"] not in content


def test_the_admin_shows_the_fields_of_the_kind(
    client, reviewer, owner, complete_draft, data_request
):
    access = services.project_submit(project=complete_draft, actor=owner)
    request = services.project_submit(project=data_request, actor=owner)
    client.force_login(reviewer)

    access_page = client.get(reverse("admin:projects_project_change", args=[access.pk]))
    request_page = client.get(reverse("admin:projects_project_change", args=[request.pk]))

    access_content = access_page.content.decode()
    assert "Dr Durand (CHU Nord)" in access_content
    assert "Plateforme sécurisée du hub" in access_content
    request_content = request_page.content.decode()
    assert "Passages par région" in request_content
    assert "field-expected_results" not in request_content
    assert "field-funding" not in request_content
    assert "field-expected_results" in access_content
    assert "field-data_users" not in request_content
