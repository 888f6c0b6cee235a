"""Factories for tests: real model instances written through the same services as production."""

import itertools

import factory

from weft.accounts.models import Membership, Organisation, User
from weft.registry.identifiers import make_uscc
from weft.registry.models import ClusterMembership, Enterprise
from weft.registry.naming import match_key, name_keys, sort_key
from weft.registry.services import refresh_search, size_band_for

_seq = itertools.count(1)


def new_uscc(adcode: str = "441900") -> str:
    n = next(_seq)
    return make_uscc("9", "1", adcode, f"MA{n:06d}"[:8])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.ENTERPRISE
    name_zh = factory.Sequence(lambda n: f"测试组织{n}")
    name_en = factory.Sequence(lambda n: f"Test organisation {n}")


def make_enterprise(
    *,
    name_zh="东莞市虎门镇测试制衣有限公司",
    address="广东省东莞市虎门镇连升路1号",
    cluster=None,
    stages=("garment_making",),
    employees=50,
    products="女装",
    **extra,
) -> Enterprise:
    """An enterprise with its tokens computed, approved in `cluster` when given."""
    from weft.registry.models import ChainStage

    adcode = extra.pop("adcode", "441900")
    enterprise = Enterprise.objects.create(
        name_zh=name_zh,
        **name_keys(name_zh, adcode),
        address=address,
        uscc=extra.pop("uscc", new_uscc()),
        employees=employees,
        size_band=size_band_for(employees),
        main_products=products,
        adcode=adcode,
        province=extra.pop("province", "广东省"),
        **extra,
    )
    enterprise.stages.set(ChainStage.objects.filter(code__in=stages))
    if cluster is not None:
        ClusterMembership.objects.create(
            enterprise=enterprise, cluster=cluster, status=ClusterMembership.Status.APPROVED
        )
    refresh_search(enterprise)
    return enterprise


def assert_name_keys_current() -> None:
    """Every firm's stored sort and match keys are those of its current name and place."""
    stale = [
        (pk, name, adcode)
        for pk, name, adcode, sort, match in Enterprise.objects.values_list(
            "pk", "name_zh", "adcode", "name_sort", "match_key"
        )
        if (sort, match) != (sort_key(name), match_key(name, adcode))
    ]
    assert not stale, f"firms whose keys were not kept current: {stale[:5]}"


def member_of(
    org: Organisation, role: str = Membership.Role.MEMBER, user: User | None = None
) -> User:
    user = user or UserFactory()
    Membership.objects.create(user=user, organisation=org, role=role)
    return user
