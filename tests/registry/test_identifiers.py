"""Unified social credit codes (GB 32100-2015): property-based tests and real published codes."""

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from weft.registry import divisions
from weft.registry.identifiers import (
    AUTHORITIES,
    CHARSET,
    check_character,
    make_uscc,
    org_code_check_character,
    uscc_is_valid,
    validate_uscc,
)

FORBIDDEN = "IOSVZ"
ADCODES = sorted(divisions.divisions())
AUTHORITY_TYPES = [(a, t) for a, (_, types) in AUTHORITIES.items() for t in types]
UNKNOWN_AUTHORITIES = [c for c in CHARSET if c not in AUTHORITIES]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English here; the site's default language is Chinese."""
    with translation.override("en"):
        yield


charset_char = st.sampled_from(CHARSET)
org_base8 = st.text(alphabet=CHARSET, min_size=8, max_size=8)


@st.composite
def valid_codes(draw):
    authority, org_type = draw(st.sampled_from(AUTHORITY_TYPES))
    return make_uscc(authority, org_type, draw(st.sampled_from(ADCODES)), draw(org_base8))


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def codes_of(result) -> list[str]:
    return [e["code"] for e in result.errors]


# --- properties --------------------------------------------------------------------------------


@given(valid_codes())
def test_any_well_formed_code_is_valid(code):
    result = validate_uscc(code)
    assert result.valid, result.errors
    assert result.code == code
    assert result.registration_authority and result.organisation_type
    assert result.region["adcode"] == code[2:8]
    assert result.region["province"] == divisions.province_of(code[2:8]).name


@given(
    valid_codes(),
    st.integers(0, 17),
    st.sampled_from(CHARSET + FORBIDDEN + "-a ０"),
    st.sampled_from(["replace", "drop", "insert"]),
)
def test_quick_validity_check_agrees_with_the_full_validation(code, position, char, how):
    """The bulk import's quick check (no messages) accepts exactly what validate_uscc accepts."""
    changed = {
        "replace": code[:position] + char + code[position + 1 :],
        "drop": code[:position] + code[position + 1 :],
        "insert": code[:position] + char + code[position:],
    }[how]
    for candidate in (code, changed):
        full = validate_uscc(candidate)
        assert uscc_is_valid(candidate) == (full.code, full.valid)


@given(valid_codes(), st.integers(0, 17), charset_char)
def test_any_single_substitution_is_caught(code, position, replacement):
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    result = validate_uscc(changed)
    assert not result.valid
    # The check character catches every single substitution (31 is prime, weights are non-zero),
    # and a structural error may be reported too.
    assert "check_digit" in codes_of(result) or set(codes_of(result)) & {
        "authority",
        "organisation_type",
        "region",
        "organisation_code",
    }
    assert "check_digit" in codes_of(result)


@given(valid_codes(), st.sampled_from(["lower", "spaces", "fullwidth", "hyphens", "padded"]))
def test_formatting_noise_normalises(code, noise):
    if noise == "lower":
        raw = code.lower()
    elif noise == "spaces":
        raw = " ".join(code[i : i + 4] for i in range(0, 18, 4))
    elif noise == "fullwidth":
        raw = "".join(chr(ord(c) + 0xFEE0) for c in code)  # ０-９ Ａ-Ｚ
    elif noise == "hyphens":
        raw = code[:8] + "-" + code[8:]
    else:
        raw = f"\u3000 {code}\t\n"
    result = validate_uscc(raw)
    assert result.valid, (raw, result.errors)
    assert result.code == code


@given(st.text(alphabet=CHARSET, min_size=1, max_size=40).filter(lambda s: len(s) != 18))
def test_wrong_length_is_a_length_error(code):
    result = validate_uscc(code)
    assert not result.valid
    assert codes_of(result) == ["length"]
    assert f"this one has {len(code)}" in result.errors[0]["message"]


@given(valid_codes(), st.integers(0, 17), st.sampled_from(FORBIDDEN))
def test_forbidden_letters_are_character_errors_at_their_position(code, position, letter):
    changed = code[:position] + letter + code[position + 1 :]
    result = validate_uscc(changed)
    assert not result.valid
    assert codes_of(result) == ["character"]
    error = result.errors[0]
    assert error["position"] == position + 1
    assert f"Character {letter} at position {position + 1}" in error["message"]


def test_several_bad_characters_are_all_reported():
    result = validate_uscc("9I44030O708461136T")
    assert [(e["code"], e["position"]) for e in result.errors] == [
        ("character", 2),
        ("character", 8),
    ]


@given(
    st.sampled_from(UNKNOWN_AUTHORITIES),
    charset_char,
    st.sampled_from(ADCODES),
    org_base8,
)
def test_unknown_authority(authority, org_type, adcode, base8):
    code = with_check(authority + org_type + adcode + base8 + org_code_check_character(base8))
    result = validate_uscc(code)
    assert codes_of(result) == ["authority"]
    assert result.errors[0]["position"] == 1


@given(st.sampled_from(AUTHORITY_TYPES), org_base8)
def test_unknown_organisation_type_of_a_known_authority(authority_type, base8):
    authority, _ = authority_type
    types = AUTHORITIES[authority][1]
    org_type = next(c for c in CHARSET if c not in types)
    code = with_check(authority + org_type + "110108" + base8 + org_code_check_character(base8))
    result = validate_uscc(code)
    assert codes_of(result) == ["organisation_type"]
    assert result.errors[0]["position"] == 2


@given(
    st.one_of(
        # no such province prefix
        st.sampled_from(["00", "99", "10", "20", "80"]).flatmap(
            lambda p: st.text(alphabet="0123456789", min_size=4, max_size=4).map(lambda r: p + r)
        ),
        # letters where the division code has digits
        st.text(alphabet=CHARSET, min_size=6, max_size=6).filter(lambda s: not s.isdigit()),
    ),
    org_base8,
)
def test_bad_region(adcode, base8):
    assume(not (adcode.isdigit() and divisions.province_of(adcode)))
    code = with_check("91" + adcode + base8 + org_code_check_character(base8))
    result = validate_uscc(code)
    assert codes_of(result) == ["region"]
    assert result.errors[0]["position"] == 3
    assert result.region is None


@given(valid_codes())
def test_bad_organisation_code_check_character(code):
    base8, check = code[8:16], code[16]
    wrong = next(c for c in "0123456789X" if c != check)
    changed = with_check(
        code[:16] + wrong
    )  # overall check character recomputed: only GB 11714 fails
    assert codes_of(validate_uscc(changed)) == ["organisation_code"]
    assert org_code_check_character(base8) == check


@settings(max_examples=50)
@given(st.text(max_size=30))
def test_arbitrary_input_never_raises(raw):
    result = validate_uscc(raw)
    assert result.valid is (not result.errors)
    assert result.valid is False or len(result.code) == 18


def test_empty_is_its_own_error():
    assert codes_of(validate_uscc("")) == ["empty"]
    assert codes_of(validate_uscc("  ")) == ["empty"]


def test_org_code_check_character_known_values():
    # GB 11714 worked values: weights 3 7 9 10 5 8 4 2, mod 11, 10 → X, 11 → 0.
    assert org_code_check_character("19220382") == "1"  # Huawei's organisation code 19220382-1
    assert org_code_check_character("70846113") == "6"  # Tencent's 70846113-6


# --- real published codes ----------------------------------------------------------------------

REAL_CODES = [
    # (code, company, province, prefecture, county)
    ("914403001922038216", "华为技术有限公司", "广东省", "深圳市", ""),
    ("91440300708461136T", "深圳市腾讯计算机系统有限公司", "广东省", "深圳市", ""),
    ("91110108551385082Q", "小米科技有限责任公司", "北京市", "", "海淀区"),
    # 阿里巴巴（中国）网络技术有限公司 to the best of our knowledge; a published Hangzhou code.
    ("91330100716105852F", "published Hangzhou enterprise code", "浙江省", "杭州市", ""),
    # 宁波杉杉股份有限公司 (Shanshan, founded as a Ningbo menswear maker), as published by the
    # Ningbo tax bureau's taxpayer lookup.
    ("91330200704803055M", "宁波杉杉股份有限公司", "浙江省", "宁波市", ""),
    # A published Beijing enterprise code that circulates as the standard's worked example.
    ("91110000710935732K", "published Beijing enterprise code", "北京市", "", ""),
]


@pytest.mark.parametrize(("code", "company", "province", "prefecture", "county"), REAL_CODES)
def test_real_codes_are_valid_and_locate_their_region(code, company, province, prefecture, county):
    result = validate_uscc(code)
    assert result.valid, (company, result.errors)
    assert result.organisation_type == "Enterprise"
    assert result.region["province"] == province
    assert result.region["city"] == prefecture
    assert result.region["county"] == county


@pytest.mark.parametrize("code", [c for c, *_ in REAL_CODES])
def test_real_codes_with_a_typo_are_rejected(code):
    typo = code[:10] + ("1" if code[10] != "1" else "2") + code[11:]
    assert not validate_uscc(typo).valid
    swapped = code[:3] + code[4] + code[3] + code[5:]
    if swapped != code:
        assert not validate_uscc(swapped).valid


def test_messages_and_labels_in_chinese():
    with translation.override("zh-hans"):
        result = validate_uscc("91440300708461136")
        valid = validate_uscc("914403001922038216")
    assert codes_of(result) == ["length"]
    assert "18" in result.errors[0]["message"] and "位" in result.errors[0]["message"]
    assert valid.organisation_type == "企业"
