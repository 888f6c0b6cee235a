import os
from dataclasses import dataclass

import pytest
from django.utils import translation

from weft.accounts.models import Membership, Organisation
from weft.registry.models import Cluster
from weft.registry.taxonomy import load_clusters

from .factories import OrganisationFactory, make_enterprise, member_of

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.WEFT_THROTTLE_ANON = "10000/min"
    settings.WEFT_THROTTLE_USER = "10000/min"
    settings.WEFT_CHECK_ANSWERS = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language (简体中文): a request earlier in the same
    worker may have activated another one (LocaleMiddleware leaves it active in the thread), and
    a test must not pass or fail by what ran before it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def clusters(db):
    """The real clusters from registry/data/clusters.json."""
    load_clusters()
    return {c.slug: c for c in Cluster.objects.all()}


@dataclass
class World:
    """Two clusters, each with an office and a member firm, plus an operator: the permission matrix."""

    humen: Cluster
    keqiao: Cluster
    operator: object
    humen_office: object  # cluster office admin of Humen
    humen_office_member: object
    keqiao_office: object  # cluster office admin of Keqiao
    firm: object  # enterprise in Humen
    firm_org: Organisation
    firm_owner: object
    firm_admin: object
    firm_member: object
    other_firm: object  # enterprise in Keqiao
    other_firm_admin: object


@pytest.fixture
def world(clusters) -> World:
    humen, keqiao = clusters["humen"], clusters["keqiao"]
    operator_org = OrganisationFactory(kind=Organisation.Kind.OPERATOR, name_zh="中国纺织信息中心")
    humen_office_org = OrganisationFactory(
        kind=Organisation.Kind.CLUSTER_OFFICE, name_zh="虎门服装服饰产业管理委员会"
    )
    keqiao_office_org = OrganisationFactory(
        kind=Organisation.Kind.CLUSTER_OFFICE, name_zh="柯桥纺织产业办公室"
    )
    humen.office, keqiao.office = humen_office_org, keqiao_office_org
    humen.save()
    keqiao.save()
    firm = make_enterprise(
        name_zh="东莞市虎门镇丽人制衣有限公司",
        cluster=humen,
        contact_name="张丽",
        contact_phone="0769-85000001",
        contact_email="li@example.test",
        contact_visibility={
            "contact_name": "public",
            "contact_phone": "registered",
            "contact_email": "private",
        },
    )
    firm_org = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name_zh=firm.name_zh, enterprise=firm
    )
    other = make_enterprise(
        name_zh="绍兴柯桥锦绣纺织有限公司",
        address="浙江省绍兴市柯桥区钱清街道1号",
        cluster=keqiao,
        adcode="330603",
        province="浙江省",
        stages=("weaving",),
        products="涤纶面料",
    )
    other_org = OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, name_zh=other.name_zh, enterprise=other
    )
    return World(
        humen=humen,
        keqiao=keqiao,
        operator=member_of(operator_org, Membership.Role.ADMIN),
        humen_office=member_of(humen_office_org, Membership.Role.ADMIN),
        humen_office_member=member_of(humen_office_org, Membership.Role.MEMBER),
        keqiao_office=member_of(keqiao_office_org, Membership.Role.ADMIN),
        firm=firm,
        firm_org=firm_org,
        firm_owner=member_of(firm_org, Membership.Role.OWNER),
        firm_admin=member_of(firm_org, Membership.Role.ADMIN),
        firm_member=member_of(firm_org, Membership.Role.MEMBER),
        other_firm=other,
        other_firm_admin=member_of(other_org, Membership.Role.ADMIN),
    )
