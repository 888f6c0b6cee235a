"""Site-wide translation checks: the frame and the catalogues."""

import gettext
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils.translation import gettext as gettext_
from django.utils.translation import override, pgettext

from weft.chain.models import DockingEvent, Meeting, RecomputeRun
from weft.imports.models import ImportJob
from weft.market.models import CapacityOffer, Demand
from weft.services.models import ServiceOrder
from weft.stats.models import PeriodKind, ReportingRound
from weft.talent.models import Application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_language_switcher_names_each_language_in_itself(lang):
    html = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/").content.decode()
    select = re.search(r'<select id="lang-select".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert options == [("zh-hans", "zh-Hans", "简体中文"), ("en", "en", "English")]
    assert "英语" not in select and "Simplified Chinese" not in select


def _catalogues() -> dict[str, dict]:
    """Weft's Chinese catalogues as Django loads them: the site's (LOCALE_PATHS) and each app's."""
    found = {}
    for directory in settings.LOCALE_PATHS:
        found["weft/locale"] = Path(directory)
    for app in apps.get_app_configs():
        if app.name.startswith("weft."):
            found[app.name] = Path(app.path) / "locale"
    catalogues = {}
    for name, directory in found.items():
        mo = directory / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            with mo.open("rb") as fh:
                catalogues[name] = gettext.GNUTranslations(fh)._catalog
    return catalogues


def _readable(key) -> str:
    if isinstance(key, tuple):  # a plural form: (msgid, n)
        return f"{key[0]!r} [plural {key[1]}]"
    context, _, msgid = key.rpartition("\x04")
    return f"{msgid!r}" + (f" [context {context!r}]" if context else "")


def test_catalogues_never_translate_the_same_message_differently():
    """Django merges every catalogue into one, so where two catalogues translate the same msgid
    (in the same context) differently, one app's wording shows on the other's pages. Words that
    mean different things in different places need a context (pgettext, {% translate … context
    … %}); the same meaning needs the same translation."""
    catalogues = _catalogues()
    assert {"weft/locale", "weft.stats", "weft.events", "weft.talent"} <= set(catalogues)
    seen = defaultdict(dict)
    for name, catalogue in catalogues.items():
        for key, text in catalogue.items():
            if key != "":  # the header
                seen[key][name] = text
    differing = [
        f"{_readable(key)}: "
        + "; ".join(f"{name} {text!r}" for name, text in sorted(by_catalogue.items()))
        for key, by_catalogue in seen.items()
        if len(set(by_catalogue.values())) > 1
    ]
    assert not differing, "\n".join(sorted(differing))


def test_weft_wording_is_what_pages_show():
    """Catalogues of apps listed earlier in INSTALLED_APPS outrank later ones: Django admin's, for
    one, translates History 历史 and View 查看, which would replace an app's own wording. Each
    message of Weft's catalogues must come out of gettext as that catalogue has it."""
    overridden = []
    with override("zh-hans"):
        for name, catalogue in _catalogues().items():
            for key, text in catalogue.items():
                if key == "" or isinstance(key, tuple):  # the header; plural forms
                    continue
                context, _, msgid = key.rpartition("\x04")
                shown = pgettext(context, msgid) if context else gettext_(msgid)
                if shown != text:
                    overridden.append(f"{name} {_readable(key)}: {text!r}, shown {shown!r}")
    assert not overridden, "\n".join(sorted(overridden))


@pytest.mark.parametrize(
    ("label", "chinese"),
    [
        (Meeting.Status.DECLINED.label, "已拒绝"),
        (Application.Status.DECLINED.label, "未录用"),
        (Meeting.Status.ACCEPTED.label, "已接受"),
        (ServiceOrder.Status.ACCEPTED.label, "已接受报价"),
        (ServiceOrder.Status.REQUESTED.label, "已提交需求"),
        (ServiceOrder.Status.DELIVERED.label, "已交付"),
        (Demand.Status.DELIVERED.label, "已交货"),
        (DockingEvent.Status.CLOSED.label, "已结束"),
        (ReportingRound.Status.CLOSED.label, "已关闭"),
        (CapacityOffer.Status.OPEN.label, "开放"),
        (ReportingRound.Status.OPEN.label, "进行中"),
        (ImportJob.Status.RUNNING.label, "导入中"),
        (RecomputeRun.Status.RUNNING.label, "运行中"),
        (PeriodKind.MONTH.label, "月"),
    ],
)
def test_status_labels_keep_their_own_meaning(label, chinese):
    with override("zh-hans"):
        assert str(label) == chinese


def _po_files() -> list[Path]:
    root = Path(settings.BASE_DIR) / "weft"
    return sorted(root.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_catalogue_is_translated_and_compiled(tmp_path):
    """`make messages` leaves no message untranslated or fuzzy (msgfmt leaves those out and the
    page shows English), and each .mo holds what its .po says."""
    assert len(_po_files()) >= 9
    for po in _po_files():
        compiled = tmp_path / "django.mo"
        stats = subprocess.run(
            ["msgfmt", "--statistics", "--check-format", "-o", str(compiled), str(po)],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        assert "fuzzy" not in stats and "untranslated" not in stats, f"{po}: {stats}"
        with compiled.open("rb") as fresh, po.with_suffix(".mo").open("rb") as shipped:
            fresh_catalogue = gettext.GNUTranslations(fresh)._catalog
            shipped_catalogue = gettext.GNUTranslations(shipped)._catalog
        assert fresh_catalogue == shipped_catalogue, f"{po}: compile it again (make messages)"
