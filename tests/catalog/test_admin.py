import pytest
from django.urls import reverse

from catalog.models import Base, DataHolder, Milestone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Base, DataHolder, Milestone])
def test_admin_pages_load_for_staff(staff_client, demo_catalog, model):
    info = (model._meta.app_label, model._meta.model_name)
    obj = model.objects.first()

    assert staff_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert staff_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
    assert (
        staff_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code
        == 200
    )


def test_admin_base_list_filters_by_milestone_and_searches(staff_client, demo_catalog):
    url = reverse("admin:catalog_base_changelist")

    filtered = staff_client.get(url, {"milestones__kind": "contract"})
    searched = staff_client.get(url, {"q": "Unicancer"})

    assert filtered.context["cl"].result_count == 5
    assert [base.acronym for base in searched.context["cl"].result_list] == ["ESME"]


def test_admin_base_list_makes_no_query_per_row(
    staff_client, demo_catalog, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        staff_client.get(reverse("admin:catalog_base_changelist"))


def test_staff_adds_a_milestone_inline(staff_client, demo_catalog):
    base = Base.objects.get(acronym="Hepather")
    url = reverse("admin:catalog_base_change", args=[base.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, "") or "" for name in form.fields}
    data.update(
        {
            "data_holder": base.data_holder_id,
            "period_start": "2012-08-01",
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "2",
            "milestones-MIN_NUM_FORMS": "0",
            "milestones-MAX_NUM_FORMS": "1000",
        }
    )
    for index, milestone in enumerate(base.milestones.order_by("reached_on")):
        data.update(
            {
                f"milestones-{index}-id": milestone.pk,
                f"milestones-{index}-base": base.pk,
                f"milestones-{index}-kind": milestone.kind,
                f"milestones-{index}-reached_on": milestone.reached_on.isoformat(),
            }
        )
    data.update(
        {
            "milestones-2-base": base.pk,
            "milestones-2-kind": "contract",
            "milestones-2-reached_on": "2024-01-15",
        }
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert base.milestones.filter(kind="contract", reached_on="2024-01-15").exists()


def test_anonymous_is_sent_to_the_admin_sign_in(client):
    response = client.get(reverse("admin:catalog_base_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
