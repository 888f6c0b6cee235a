"""The self-assessment workflow: answers, evidence, submit, invite, review, plan; and permits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from weft.audit.models import AuditRecord
from weft.csr import selectors, services
from weft.csr.models import Answer, DischargePermit, Evidence, PermitReminder
from weft.csr.questionnaire import QUESTIONS

from .conftest import PDF, all_answers

pytestmark = pytest.mark.django_db


def _pdf(name="制度.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_workflow_scores_missing_evidence_and_verifies_with_a_level(world):
    a = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    assert services.start_assessment(user=world.firm_admin, enterprise=world.firm) == a
    services.save_answers(user=world.firm_admin, assessment=a, answers=all_answers("yes"))
    # Files for every question that asks for one except wb2 (social insurance receipt).
    for code, q in QUESTIONS.items():
        if q.needs_evidence and code != "wb2":
            services.add_evidence(user=world.firm_admin, assessment=a, question=code, upload=_pdf())
    rows = {r.area.code: r for r in selectors.questionnaire(a)}
    assert rows["wages_benefits"].score == Decimal("75.0")  # (2 + 1) / 4
    assert rows["wages_benefits"].missing_evidence == ("wb2",)
    services.submit(user=world.firm_admin, assessment=a)
    # Overall (11 × 100 + 75) / 12 = 97.916… → 97.9.
    assert a.overall_score == Decimal("97.9")
    assert a.area_scores["wages_benefits"] == "75.0"
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.save_answers(user=world.firm_admin, assessment=a, answers=all_answers("no"))
    with pytest.raises(PermissionDenied):
        services.review(user=world.keqiao_office, assessment=a, verify=True)
    services.review(user=world.humen_office, assessment=a, verify=True, note="资料齐全")
    a.refresh_from_db()
    assert (a.status, a.level, a.reviewer_org) == ("verified", "A", world.humen.office)
    assert selectors.verified_level(world.firm) == "A"
    assert selectors.meets_level(world.firm, "B") and not selectors.meets_level(
        world.other_firm, "D"
    )
    badge = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/csr/enterprises/{world.firm.pk}/badge/")
    assert "Social responsibility verified: level A" in badge.content.decode()
    assert (
        AuditRecord.objects.filter(object_type="csr.assessment", object_id=str(a.pk)).count() >= 4
    )


def test_bad_answers_and_files_change_nothing(world):
    a = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    with pytest.raises(ValidationError) as exc:
        services.save_answers(
            user=world.firm_admin,
            assessment=a,
            answers={
                "ms1": {"choice": "yes"},
                "zz9": {"choice": "yes"},
                "ms2": {"choice": "maybe"},
            },
        )
    assert set(exc.value.message_dict) == {"zz9", "ms2"}
    assert not Answer.objects.exists()  # ms1 was valid but nothing was written
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        services.add_evidence(
            user=world.firm_admin,
            assessment=a,
            question="ms1",
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        )
    with pytest.raises(ValidationError, match="limit is 10 MB"):
        services.add_evidence(
            user=world.firm_admin,
            assessment=a,
            question="ms1",
            upload=SimpleUploadedFile("big.pdf", PDF + b"\0" * (10 * 1024 * 1024)),
        )
    with pytest.raises(ValidationError, match="Unknown question"):
        services.add_evidence(user=world.firm_admin, assessment=a, question="zz9", upload=_pdf())
    with pytest.raises(PermissionDenied):
        services.add_evidence(user=world.firm_member, assessment=a, question="ms1", upload=_pdf())
    assert not Evidence.objects.exists()
    with pytest.raises(ValidationError, match="24 are open"):
        services.submit(user=world.firm_admin, assessment=a)


def test_returning_needs_a_note_and_reopens_editing(world):
    a = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    services.save_answers(user=world.firm_admin, assessment=a, answers=all_answers("partly"))
    services.submit(user=world.firm_admin, assessment=a)
    with pytest.raises(ValidationError, match="Say what must change"):
        services.review(user=world.humen_office, assessment=a, verify=False)
    services.review(user=world.humen_office, assessment=a, verify=False, note="补充劳动合同")
    assert a.status == "returned" and a.editable
    services.save_answers(user=world.firm_admin, assessment=a, answers={"lc1": {"choice": "yes"}})


def test_invited_auditor_sees_and_reviews(world, auditor):
    org, auditor_admin = auditor
    a = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    api.force_login(auditor_admin)
    assert api.get(f"/api/v1/csr/assessments/{a.pk}").status_code == 404
    with pytest.raises(ValidationError, match="service provider"):
        services.invite_auditor(user=world.firm_admin, assessment=a, auditor=world.humen.office)
    services.invite_auditor(user=world.firm_admin, assessment=a, auditor=org)
    assert api.get(f"/api/v1/csr/assessments/{a.pk}").status_code == 200
    services.save_answers(user=world.firm_admin, assessment=a, answers=all_answers("yes"))
    services.submit(user=world.firm_admin, assessment=a)
    response = api.post(
        f"/api/v1/csr/assessments/{a.pk}/review",
        {"decision": "verify"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    a.refresh_from_db()
    assert a.reviewer_org == org
    # Without files, every evidence question earns half: level follows the rule, not a constant.
    assert a.level == selectors.overall(a)[1]


def test_improvement_plan_dates(world):
    a = services.start_assessment(user=world.firm_admin, enterprise=world.firm)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.add_action(
            user=world.firm_admin, assessment=a, area="nope", action="", due_on=today - timedelta(1)
        )
    assert set(exc.value.message_dict) == {"area", "action", "due_on"}
    item = services.add_action(
        user=world.firm_admin, assessment=a, area="wages_benefits", action="补缴社保", due_on=today
    )
    services.complete_action(user=world.firm_admin, item=item)
    assert item.status == "done"


def test_permit_reminders_go_once_per_threshold(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.firm.contact_email = "li@example.test"
    world.firm.save()
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="end after it starts"):
        services.add_permit(
            user=world.firm_admin,
            enterprise=world.firm,
            data={
                "number": "P1",
                "issued_by": "东莞市生态环境局",
                "valid_from": today,
                "valid_until": today,
            },
        )
    with pytest.raises(PermissionDenied):
        services.add_permit(
            user=world.other_firm_admin,
            enterprise=world.firm,
            data={
                "number": "P1",
                "issued_by": "x",
                "valid_from": today,
                "valid_until": today + timedelta(9),
            },
        )
    permit = services.add_permit(
        user=world.firm_admin,
        enterprise=world.firm,
        data={
            "number": "91441900MA0001X001V",
            "issued_by": "东莞市生态环境局",
            "valid_from": today - timedelta(days=1800),
            "valid_until": today + timedelta(days=25),
        },
    )
    # 25 days left: the 30-day reminder is due (the 90-day one is skipped, not sent late too).
    assert services.send_permit_reminders(today) == 1
    assert services.send_permit_reminders(today) == 0
    assert PermitReminder.objects.get().days_before == 30
    assert len(mail.outbox) == 1 and "91441900MA0001X001V" in mail.outbox[0].subject
    assert set(mail.outbox[0].to) >= {"li@example.test"}
    # On the day it expires the last reminder goes.
    assert services.send_permit_reminders(permit.valid_until) == 1
    assert list(selectors.expiring_permits(world.humen, today=today)) == [permit]
    assert DischargePermit.objects.count() == 1
