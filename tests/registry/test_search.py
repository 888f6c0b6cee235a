"""Directory search: the tokeniser, substring exactness, pinyin order, and freshness after writes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weft.registry import services
from weft.registry.models import Enterprise
from weft.registry.search import normalise, query_tokens, search_terms, text_tokens, tokens_prove
from weft.registry.selectors import EnterpriseFilters, enterprise_directory

from ..factories import assert_name_keys_current, make_enterprise


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.7 s per test user; the world fixture makes eight of them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the tokeniser (no database) ---------------------------------------------------------------


def test_chinese_text_gives_unigrams_and_bigrams():
    assert text_tokens("虎门镇") == {"虎", "门", "镇", "虎门", "门镇"}


def test_addresses_give_bigrams_only():
    assert text_tokens("虎门镇", unigrams=False) == {"虎门", "门镇"}


def test_latin_words_give_trigrams_and_short_words_themselves():
    assert text_tokens("Humen") == {"hum", "ume", "men"}
    assert text_tokens("Li Ren") == {"li", "ren"}
    assert text_tokens("JK 2024") == {"jk", "202", "024"}


def test_mixed_runs_are_split_by_script():
    assert text_tokens("虎门ABC") == {"虎", "门", "虎门", "abc"}


def test_nfkc_folds_full_width_and_case():
    assert normalise("ＡＢＣ　１２３  虎门") == "abc 123 虎门"
    assert text_tokens("ＳＩＬＫ") == text_tokens("silk") == {"sil", "ilk"}
    assert query_tokens("ＳＩＬＫ") == query_tokens("Silk") == ["sil", "ilk"]


def test_punctuation_separates_runs():
    assert text_tokens("盛泽·丝绸") == {"盛", "泽", "盛泽", "丝", "绸", "丝绸"}


def test_query_tokens():
    assert query_tokens("虎") == ["虎"]  # one character: its unigram
    assert query_tokens("虎门") == ["虎门"]
    assert query_tokens("虎门镇") == ["虎门", "门镇"]
    assert query_tokens("门门门") == ["门门"]  # duplicates collapse
    assert query_tokens("silk") == ["sil", "ilk"]
    assert query_tokens("ab") == []  # left to the substring check
    assert query_tokens("") == [] and query_tokens("  ") == []


def test_a_lone_character_inside_a_longer_term_is_left_to_the_substring_check():
    # Addresses index bigrams only: the unigram 号 would miss every firm found by its address.
    assert query_tokens("286号") == ["286"]
    assert query_tokens("连升路88号") == ["连升", "升路"]
    assert query_tokens("广东省东莞市虎门镇兴业路286号")[-2:] == ["业路", "286"]
    assert "号" not in query_tokens("广东省东莞市虎门镇兴业路286号")
    assert query_tokens("a虎") == []
    assert query_tokens("号") == ["号"]  # the whole term: names and products index unigrams
    assert not tokens_prove("286号") and not tokens_prove("连升路88号")  # so the check runs


def test_query_tokens_are_a_subset_of_the_texts_tokens():
    for text, term in [
        ("东莞市虎门镇丽人制衣", "虎门镇丽"),
        ("Humen Fashion", "fash"),
        ("盛泽", "泽"),
    ]:
        assert set(query_tokens(term)) <= text_tokens(text)


def test_tokens_prove_only_terms_that_are_tokens_themselves():
    assert tokens_prove("虎") and tokens_prove("虎门") and tokens_prove("ＳＩＬ")
    assert not tokens_prove("虎门镇")  # 虎门 and 门镇 can sit in different places
    assert not tokens_prove("silk") and not tokens_prove("ab")
    assert not tokens_prove("虎门a") and not tokens_prove("a-b")


_CHARS = "虎门镇丽人制衣面料针织ab cde"


@given(
    text=st.text(alphabet=_CHARS, max_size=30),
    term=st.text(alphabet=_CHARS, min_size=1, max_size=4),
)
def test_a_proving_term_whose_tokens_are_present_is_a_substring(text, term):
    """What lets the directory skip its substring check: never a false match."""
    if tokens_prove(term) and set(query_tokens(term)) <= text_tokens(text):
        assert normalise(term) in normalise(text)


_ADDRESS_CHARS = "虎门镇连升路号兴业ab12 -"


@given(
    text=st.text(alphabet=_ADDRESS_CHARS, max_size=30),
    start=st.integers(0, 30),
    length=st.integers(1, 12),
)
def test_any_part_of_an_address_finds_it_by_its_tokens(text, start, length):
    """Every term cut from an address has its tokens among the address's (bigrams, no unigrams),
    but for a term that is one Chinese character: that searches names and products."""
    for term in search_terms(text[start : start + length]):
        if len(term) == 1 and term not in "ab12-":
            continue
        assert set(query_tokens(term)) <= text_tokens(text, unigrams=False), term


def test_search_terms_split_on_any_space():
    assert search_terms("  虎门　女装 ") == ["虎门", "女装"]  # U+3000 ideographic space too
    assert search_terms("") == []


# --- the directory (database) ------------------------------------------------------------------


def found(q="", **filters):
    return {e.name_zh for e in enterprise_directory(EnterpriseFilters(q=q, **filters))}


@pytest.mark.django_db
def test_bigram_coincidences_are_not_results(world):
    # Holds 虎 and 门 but never 虎门.
    make_enterprise(name_zh="苏州虎跃门业有限公司", address="江苏省苏州市相城区", adcode="320507")
    # Holds both bigrams of 虎门镇 (虎门 in the name, 门镇 in the address) but not 虎门镇 itself.
    decoy = make_enterprise(
        name_zh="江门市虎门服装厂", address="广东省江门市新会区龙门镇8号", adcode="440705"
    )
    assert {"虎门", "门镇"} <= set(decoy.search_tokens)
    assert found("虎门镇") == {"东莞市虎门镇丽人制衣有限公司"}
    assert found("虎门") == {"东莞市虎门镇丽人制衣有限公司", "江门市虎门服装厂"}
    assert "苏州虎跃门业有限公司" in found("虎")
    assert found("门虎") == set()


@pytest.mark.django_db
def test_one_character_queries(world):
    assert found("锦") == {"绍兴柯桥锦绣纺织有限公司"}
    assert found("丽") == {"东莞市虎门镇丽人制衣有限公司"}
    assert found("龘") == set()


@pytest.mark.django_db
def test_latin_queries_of_any_length(world):
    services.update_enterprise(
        user=world.operator,
        enterprise=world.firm,
        data={"name_en": "Dongguan Liren Garments Co., Ltd."},
    )
    assert found("garments") == {world.firm.name_zh}
    assert found("GARM") == {world.firm.name_zh}
    assert found("ＬＩＲＥＮ") == {world.firm.name_zh}
    assert found("li") == {world.firm.name_zh}  # too short for trigrams: substring check alone
    assert found("garmentz") == set()


@pytest.mark.django_db
def test_several_terms_must_all_match(world):
    assert found("虎门 女装") == {world.firm.name_zh}
    assert found("虎门 面料") == set()


@pytest.mark.django_db
def test_addresses_are_found_whole_or_in_part(world):
    make_enterprise(name_zh="东莞市虎门镇兴业服饰有限公司", address="广东省东莞市虎门镇兴业路286号")
    make_enterprise(name_zh="东莞市虎门镇连升制衣有限公司", address="广东省东莞市虎门镇连升路88号")
    assert found("广东省东莞市虎门镇兴业路286号") == {"东莞市虎门镇兴业服饰有限公司"}
    assert found("兴业路286号") == found("286号") == {"东莞市虎门镇兴业服饰有限公司"}
    assert found("连升路88号") == {"东莞市虎门镇连升制衣有限公司"}
    assert found("连升路88号 兴业") == set()
    assert found("288号") == set()


@pytest.mark.django_db
def test_usccs_are_searchable(world):
    assert found(world.firm.uscc) == {world.firm.name_zh}
    assert found(world.firm.uscc.lower()) == {world.firm.name_zh}


PINYIN_ORDERED = [
    "阿里纺织有限公司",  # a
    "北方服饰有限公司",  # bei
    "常熟服装城经营部",  # chang
    "东方丝绸有限公司",  # dong
    "虎门制衣厂",  # hu
    "绍兴面料有限公司",  # shao
    "中山休闲服有限公司",  # zhong
]


@pytest.mark.django_db
def test_results_are_in_pinyin_order(db):
    for name in reversed(PINYIN_ORDERED):
        make_enterprise(name_zh=name, address="")
    assert [e.name_zh for e in enterprise_directory(EnterpriseFilters())] == PINYIN_ORDERED


@pytest.mark.django_db
def test_names_created_through_services_get_their_pinyin_key(world):
    for name in reversed(PINYIN_ORDERED):
        services.create_enterprise(user=world.operator, data={"name_zh": name})
    names = [
        e.name_zh for e in enterprise_directory(EnterpriseFilters()) if e.name_zh in PINYIN_ORDERED
    ]
    assert names == PINYIN_ORDERED


@pytest.mark.django_db
def test_heteronyms_follow_the_phrase_reading(db):
    for name in ("东方丝绸有限公司", "长兴纺织有限公司", "北方服饰有限公司"):
        make_enterprise(name_zh=name, address="")
    assert [e.name_zh for e in enterprise_directory(EnterpriseFilters())] == [
        "北方服饰有限公司",
        "长兴纺织有限公司",
        "东方丝绸有限公司",
    ]


@pytest.mark.django_db
def test_search_after_update_reflects_the_new_name(world):
    services.update_enterprise(
        user=world.firm_admin,
        enterprise=world.firm,
        data={"name_zh": "东莞市虎门镇晨曦服饰有限公司"},
    )
    assert found("丽人") == set()
    assert found("晨曦") == {"东莞市虎门镇晨曦服饰有限公司"}
    world.firm.refresh_from_db()
    assert "晨曦" in world.firm.search_tokens and "丽人" not in world.firm.search_tokens
    assert world.firm.name_sort.startswith("dong guan shi hu men zhen chen xi")


@pytest.mark.django_db
def test_search_after_update_reflects_new_facets(world):
    services.update_enterprise(
        user=world.firm_admin,
        enterprise=world.firm,
        data={
            "stages": ["design"],
            "industry_codes": ["1811"],
            "certifications": ["wrap"],
            "employees": 5000,
        },
    )
    assert found(stage="design") == {world.firm.name_zh}
    assert found(stage="garment_making") == set()
    assert found(industry_code="181") == {world.firm.name_zh}
    assert found(certification="wrap") == {world.firm.name_zh}
    assert found(size_band="large") == {world.firm.name_zh}
    assert found(size_band="small") == {world.other_firm.name_zh}


@pytest.mark.django_db
def test_address_change_moves_the_province_facet(world):
    services.update_enterprise(
        user=world.operator, enterprise=world.firm, data={"address": "浙江省绍兴市柯桥区齐贤街道"}
    )
    assert found(province="浙江") == {world.firm.name_zh, world.other_firm.name_zh}
    assert found(province="广东") == set()
    assert Enterprise.objects.get(pk=world.firm.pk).adcode.startswith("33")
    assert_name_keys_current()  # the match key follows the firm to its new county


@pytest.mark.django_db
def test_membership_approval_adds_the_cluster_facet(world):
    humen = world.humen.pk
    request = services.request_membership(
        user=world.other_firm_admin, enterprise=world.other_firm, cluster=world.humen
    )
    assert world.other_firm.name_zh not in found(cluster=humen)  # pending does not count
    services.decide_membership(user=world.humen_office, membership=request, approve=True)
    assert found(cluster=humen) == {world.firm.name_zh, world.other_firm.name_zh}
    assert found(cluster=world.keqiao.pk) == {world.other_firm.name_zh}  # still in Keqiao too
    assert f"c:{humen}" in Enterprise.objects.get(pk=world.other_firm.pk).search_tokens


@pytest.mark.django_db
def test_rejected_membership_adds_no_cluster_facet(world):
    request = services.request_membership(
        user=world.other_firm_admin, enterprise=world.other_firm, cluster=world.humen
    )
    services.decide_membership(user=world.humen_office, membership=request, approve=False)
    assert found(cluster=world.humen.pk) == {world.firm.name_zh}


@pytest.mark.django_db
def test_tricky_query_characters_do_not_break_the_index(world):
    for q in ['"', "'", '虎门"OR"', "NEAR(虎门)", "*", "%", "_", "虎门 -女装", "\\"]:
        assert found(q) <= {world.firm.name_zh}, q
