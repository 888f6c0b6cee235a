"""Social responsibility demo: the Humen demo firm's verified self-assessment and a Keqiao firm's
discharge permit nearing expiry. Idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from weft.accounts.models import Membership, Organisation
from weft.registry.models import Cluster

from . import services
from .models import Assessment, DischargePermit
from .questionnaire import QUESTIONS


def _owner(username):
    m = (
        Membership.objects.filter(
            user__username=username, organisation__kind=Organisation.Kind.ENTERPRISE
        )
        .select_related("user", "organisation__enterprise")
        .first()
    )
    return (m.user, m.organisation.enterprise) if m else (None, None)


@transaction.atomic
def load_demo() -> str:
    user, firm = _owner("firm_humen")
    office_user = Membership.objects.filter(user__username="office_humen").first()
    made = []
    if firm and office_user and not Assessment.objects.filter(enterprise=firm).exists():
        a = services.start_assessment(user=user, enterprise=firm)
        answers = {c: {"choice": "yes", "comment": ""} for c in QUESTIONS}
        answers["wh1"] = {"choice": "partly", "comment": "旺季加班偶有超时"}
        services.save_answers(user=user, assessment=a, answers=answers)
        services.submit(user=user, assessment=a)
        services.review(user=office_user.user, assessment=a, verify=True, note="演示：资料待补充")
        made.append(f"assessment level {a.level}")
    keqiao_user, keqiao_firm = _owner("firm_keqiao")
    if keqiao_firm and not DischargePermit.objects.filter(enterprise=keqiao_firm).exists():
        today = timezone.localdate()
        services.add_permit(
            user=keqiao_user,
            enterprise=keqiao_firm,
            data={
                "number": "91330621MA2DEMO01P001V",
                "issued_by": "绍兴市生态环境局柯桥分局",
                "pollutants": "COD、氨氮",
                "valid_from": today - timedelta(days=1765),
                "valid_until": today + timedelta(days=60),
            },
        )
        made.append("permit expiring in 60 days")
    if not Cluster.objects.exists():
        return "CSR demo: skipped (no clusters)."
    return "CSR demo: " + (", ".join(made) if made else "already there") + "."
