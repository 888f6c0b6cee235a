"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division (6),
organisation code (9, with its own GB 11714 check character), check character (1).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import divisions

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [3**i % 31 for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, ...

ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

# Authority → (name, {type code: type name}), from the standard's Table 1 and its amendments.
AUTHORITIES = {
    "1": (
        _("Institutional staffing (机构编制)"),
        {
            "1": _("Government agency"),
            "2": _("Public institution"),
            "3": _("Mass organisation"),
            "9": _("Other"),
        },
    ),
    "2": (
        _("Foreign affairs (外交)"),
        {"1": _("Resident representative office of a foreign government"), "9": _("Other")},
    ),
    "3": (
        _("Justice (司法行政)"),
        {
            "1": _("Law firm"),
            "2": _("Notary office"),
            "3": _("Judicial appraisal institution"),
            "4": _("Arbitration commission"),
            "9": _("Other"),
        },
    ),
    "4": (
        _("Culture (文化)"),
        {"1": _("Resident representative office of a foreign cultural centre"), "9": _("Other")},
    ),
    "5": (
        _("Civil affairs (民政)"),
        {
            "1": _("Social organisation"),
            "2": _("Private non-enterprise unit"),
            "3": _("Foundation"),
            "9": _("Other"),
        },
    ),
    "6": (
        _("Tourism (旅游)"),
        {
            "1": _("Resident office of a foreign tourism department"),
            "2": _("Representative office of a foreign travel agency"),
            "9": _("Other"),
        },
    ),
    "7": (
        _("Religion (宗教)"),
        {"1": _("Religious venue"), "2": _("Religious school"), "9": _("Other")},
    ),
    "8": (_("Trade unions (工会)"), {"1": _("Trade union"), "9": _("Other")}),
    "9": (
        _("Market regulation (工商)"),
        {"1": _("Enterprise"), "2": _("Individual business"), "3": _("Farmers' cooperative")},
    ),
    "A": (
        _("Central military commission reform (中央军委改革)"),
        {"1": _("Military unit"), "9": _("Other")},
    ),
    "N": (
        _("Agriculture (农业)"),
        {
            "1": _("Collective economic organisation"),
            "2": _("Village joint economic cooperative"),
            "3": _("Village economic cooperative"),
            "9": _("Other"),
        },
    ),
    "Y": (_("Other registration authority"), {"1": _("Other")}),
}


def check_character(first17: str) -> str:
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    # GB 11714: digits count as themselves, letters A–Z as 10–35.
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@dataclass
class UsccResult:
    code: str
    valid: bool = False
    errors: list[dict] = field(default_factory=list)
    registration_authority: str | None = None
    organisation_type: str | None = None
    region: dict | None = None

    def add(self, code: str, message, position: int | None = None):
        self.errors.append({"code": code, "message": str(message), "position": position})

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "code": self.code,
            "errors": self.errors,
            "registration_authority": self.registration_authority,
            "organisation_type": self.organisation_type,
            "region": self.region,
        }


def normalise(raw: str) -> str:
    """Upper case, with spaces, hyphens and full-width characters removed."""
    import unicodedata

    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-")


def validate_uscc(raw: str) -> UsccResult:
    code = normalise(raw)
    result = UsccResult(code=code)
    if not code:
        result.add("empty", _("The unified social credit code is empty."))
        return result
    if len(code) != 18:
        result.add(
            "length",
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
        )
    bad = [(i + 1, ch) for i, ch in enumerate(code) if ch not in VALUE]
    for pos, ch in bad:
        result.add(
            "character",
            _(
                "Character %(ch)s at position %(pos)d is not allowed: only digits and capital "
                "letters other than I, O, S, V and Z are used."
            )
            % {"ch": ch, "pos": pos},
            pos,
        )
    if result.errors:
        return result

    authority = AUTHORITIES.get(code[0])
    if authority is None:
        result.add(
            "authority",
            _("%(ch)s is not a registration authority code (position 1).") % {"ch": code[0]},
            1,
        )
    else:
        result.registration_authority = str(authority[0])
        org_type = authority[1].get(code[1])
        if org_type is None:
            result.add(
                "organisation_type",
                _("%(ch)s is not an organisation type of this registration authority (position 2).")
                % {"ch": code[1]},
                2,
            )
        else:
            result.organisation_type = str(org_type)

    adcode = code[2:8]
    if not adcode.isdigit() or divisions.province_of(adcode) is None:
        result.add(
            "region",
            _("%(code)s is not an administrative division code (positions 3–8).")
            % {"code": adcode},
            3,
        )
    else:
        # Codes keep the division of their first registration; renamed counties still count.
        result.region = divisions.region(adcode)

    org_code = code[8:17]
    if org_code[:8].isalnum() and org_code_check_character(org_code[:8]) != org_code[8]:
        result.add(
            "organisation_code",
            _("The organisation code (positions 9–17) fails its own check character."),
            17,
        )

    expected = check_character(code[:17])
    if expected != code[17]:
        result.add(
            "check_digit",
            _("The check character (position 18) should be %(expected)s, not %(got)s.")
            % {"expected": expected, "got": code[17]},
            18,
        )
    result.valid = not result.errors
    return result


def uscc_is_valid(raw: str) -> tuple[str, bool]:
    """(normalised code, whether `validate_uscc` finds no error): the same checks without
    building their messages, for bulk imports where nearly every code is valid."""
    code = normalise(raw)
    if len(code) != 18 or not all(ch in VALUE for ch in code):
        return code, False
    authority = AUTHORITIES.get(code[0])
    if authority is None or code[1] not in authority[1]:
        return code, False
    adcode = code[2:8]
    if not adcode.isdigit() or divisions.province_of(adcode) is None:
        return code, False
    org_code = code[8:17]
    if org_code[:8].isalnum() and org_code_check_character(org_code[:8]) != org_code[8]:
        return code, False
    return code, check_character(code[:17]) == code[17]


def make_uscc(authority: str, org_type: str, adcode: str, org_base8: str) -> str:
    """Build a code with correct check characters (used by the demo generator and tests)."""
    org_code = org_base8 + org_code_check_character(org_base8)
    first17 = authority + org_type + adcode + org_code
    return first17 + check_character(first17)
