"""A Humen firm applies for a service voucher, the cluster office approves it, the firm orders a
fibre test and pays part with the voucher, the lab delivers and claims, the office approves and
pays; the programme dashboard shows the budget used."""

import re

import pytest
from playwright.sync_api import expect

from weft.registry.taxonomy import load_taxonomy
from weft.services import ledger
from weft.services.models import Redemption, Settlement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"  # set by tests/factories.UserFactory


@pytest.fixture(autouse=True)
def _taxonomy(transactional_db):
    load_taxonomy()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(page_for, user):
    page = page_for("en-US")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def test_voucher_from_application_to_paid_settlement(world, page_for):
    from tests.factories import OrganisationFactory, member_of
    from tests.services.conftest import make_programme
    from weft.accounts.models import Membership, Organisation
    from weft.services.models import Category, Service

    lab = OrganisationFactory(kind=Organisation.Kind.SERVICE_PROVIDER, name_zh="华纺检测中心")
    lab_admin = member_of(lab, Membership.Role.ADMIN)
    Service.objects.create(
        provider=lab,
        category=Category.TESTING,
        title_zh="面料成分检测",
        title_en="Fibre content test",
        price="400.00",
        price_unit="per sample",
        cnas_number="CNAS L1234",
    )
    office_org = Organisation.objects.get(pk=world.humen.office_id)
    programme = make_programme(
        world.humen_office, office_org, budget="10000.00", clusters=[world.humen]
    )

    # The firm applies for a voucher.
    firm = log_in(page_for, world.firm_admin)
    firm.goto("/services/vouchers/")
    firm.get_by_label("Amount (yuan)").fill("300")
    firm.get_by_role("button", name="Apply").click()
    expect(firm.get_by_role("status")).to_contain_text("Your application was sent")
    expect(firm.locator(".status").first).to_have_text("Pending")

    # The Humen office approves it on the programme dashboard.
    office = log_in(page_for, world.humen_office)
    office.goto("/services/programmes/")
    office.get_by_role("link", name=programme.name_en).click()
    expect(office.locator("form.decision")).to_contain_text(world.firm_org.name_zh)
    office.get_by_role("button", name="Approve", exact=True).click()
    expect(office.get_by_role("status")).to_contain_text("Voucher granted")

    # The firm finds the test in the catalogue, orders it and pays part with the voucher.
    firm.goto("/services/")
    firm.get_by_label("Category").select_option(label="Testing and certification")
    firm.get_by_role("link", name="Fibre content test").click()
    expect(firm.get_by_text("CNAS L1234")).to_be_visible()
    firm.get_by_label("What do you need?").fill("2 fabric samples")
    firm.get_by_role("button", name="Send request").click()
    expect(firm.locator("#order-status")).to_have_text("Status: Quoted")
    firm.get_by_role("button", name="Accept quote").click()
    expect(firm.locator("#order-status")).to_have_text("Status: Accepted")
    firm.get_by_role("button", name="Use voucher").click()
    expect(firm.get_by_role("status")).to_contain_text(
        "The voucher pays ¥120.00; your firm pays ¥280.00."
    )
    expect(firm.locator("#subsidy")).to_contain_text("¥120.00")
    order_url = firm.url

    # The lab delivers.
    lab_page = log_in(page_for, lab_admin)
    lab_page.goto("/services/orders/")
    lab_page.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    lab_page.locator("form.order-step", has_text="Deliver").get_by_label("Note").fill(
        "Report HF-2026-0001"
    )
    lab_page.get_by_role("button", name="Deliver", exact=True).click()
    expect(lab_page.locator("#order-status")).to_have_text("Status: Delivered")

    # The firm confirms delivery and reviews.
    firm.goto(order_url)
    expect(firm.get_by_text("Report HF-2026-0001", exact=True)).to_be_visible()
    firm.get_by_role("button", name="Confirm delivery").click()
    expect(firm.locator("#order-status")).to_have_text("Status: Confirmed")
    firm.get_by_label("Rating (1–5)").fill("5")
    firm.get_by_role("button", name="Send review").click()
    expect(firm.get_by_role("status")).to_contain_text("Thank you for your review")

    # The lab claims the subsidy.
    lab_page.goto("/services/orders/")
    lab_page.get_by_role("button", name=re.compile("Claim settlement")).click()
    expect(lab_page.get_by_role("status")).to_contain_text("Settlement of ¥120.00 claimed")

    # The office approves and pays; the dashboard shows the budget used.
    office.goto(f"/services/programmes/{programme.pk}/")
    expect(office.locator("#budget-used")).to_have_text("¥120.00")
    expect(office.locator("#budget-left")).to_have_text("¥9,880.00")
    office.get_by_role("button", name="Approve claim").click()
    expect(office.locator("form.settlement .status")).to_have_text("Approved")
    office.get_by_label("Payment reference").fill("BOC-20260601")
    office.get_by_role("button", name="Mark paid").click()
    expect(office.locator("form.settlement .status")).to_have_text("Paid")
    expect(office.get_by_text("paid ¥120.00")).to_be_visible()
    expect(office.locator("table")).to_contain_text("Fibre content test")

    assert Redemption.objects.get().status == "earned"
    assert Settlement.objects.get().status == "paid"
    assert ledger.verify() == []
