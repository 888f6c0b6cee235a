"""The operator sees in the admin how current the directory's index is, and can rebuild it."""

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from weft.registry.index_services import build_directory_index
from weft.registry.models import DirectoryIndexSnapshot
from weft.registry.services import refresh_search

from ..factories import UserFactory, make_enterprise

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/admin/registry/directoryindexsnapshot/"


@pytest.fixture
def operator_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_operator_sees_each_build_and_the_firms_changed_since(operator_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    firms = [make_enterprise(name_zh=f"东莞市虎门镇第{i}制衣有限公司") for i in range(3)]
    snapshot = build_directory_index()
    for firm in firms[:2]:
        firm.main_products = "童装"
        refresh_search(firm)

    html = operator_client.get(LIST).content.decode()
    row = html[html.index(f"/{snapshot.pk}/change/") :]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:5]]
    assert cells[1:5] == [
        "3",
        str(snapshot.seconds),
        f"{len(snapshot.data) / 1024**2:,.1f}",
        "2",
    ]

    response = operator_client.post(
        LIST, {"action": "rebuild", "_selected_action": [snapshot.pk]}, follow=True
    )
    assert "A rebuild of the directory&#x27;s index is queued." in response.content.decode()
    assert DBTaskResult.objects.filter(task_path__endswith="rebuild_directory_index").count() == 1


def test_snapshots_are_written_only_by_the_build(operator_client):
    snapshot = build_directory_index()
    assert operator_client.get(LIST + "add/").status_code == 403
    assert operator_client.get(f"{LIST}{snapshot.pk}/delete/").status_code == 403
    detail = operator_client.post(f"{LIST}{snapshot.pk}/change/", {"firms": "9"})
    assert detail.status_code == 403
    assert DirectoryIndexSnapshot.objects.get().firms == 0


def test_people_who_are_not_staff_are_sent_to_log_in(db):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
