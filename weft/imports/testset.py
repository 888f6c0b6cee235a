"""A labelled entity-resolution test set: pairs of real-looking Chinese enterprise records.

Each pair is (registry record, incoming record, same firm?). The kinds are the ways lists differ
in practice: typos, legal-form variants, full-width characters, missing codes, moved addresses;
and the traps: near-identical names in other counties, one character apart in the same county,
the same trade name in another line of business. `evaluate()` resolves every incoming record
against all registry records and reports precision of automatic merges and recall of automatic
plus queued ones. Same seed, same set.
"""

import random
from dataclasses import dataclass

from weft.registry.demo import vocabulary as V
from weft.registry.identifiers import make_uscc

from .resolution import Index, Record, resolve

# (province, prefecture, county, adcode); pairs of counties share a prefecture on purpose.
PLACES = [
    ("广东省", "东莞市", "", "441900"),
    ("浙江省", "绍兴市", "柯桥区", "330603"),
    ("浙江省", "绍兴市", "越城区", "330602"),
    ("江苏省", "苏州市", "吴江区", "320509"),
    ("江苏省", "苏州市", "常熟市", "320581"),
    ("福建省", "泉州市", "晋江市", "350582"),
    ("福建省", "泉州市", "石狮市", "350581"),
    ("广东省", "佛山市", "南海区", "440605"),
    ("广东省", "佛山市", "顺德区", "440606"),
    ("浙江省", "嘉兴市", "桐乡市", "330483"),
    ("浙江省", "湖州市", "吴兴区", "330502"),
    ("广东省", "广州市", "番禺区", "440113"),
    ("浙江省", "宁波市", "海曙区", "330203"),
]
TOWNS = {"441900": ["虎门镇", "大朗镇", "长安镇"], "440113": ["沙湾镇", "石楼镇"]}
# Characters people mistype for one another (same sound or shape).
TYPOS = {
    "锦": "金", "绣": "秀", "华": "化", "盛": "胜", "鑫": "新", "源": "元", "达": "大",
    "泰": "太", "丰": "风", "祥": "翔", "瑞": "锐", "隆": "龙", "兴": "星", "荣": "容",
    "昌": "常", "美": "梅", "佳": "嘉", "通": "同", "宇": "雨", "汇": "会", "信": "新",
    "诚": "成", "德": "得", "益": "艺", "润": "闰", "恒": "衡", "永": "勇", "金": "今",
    "宏": "弘", "鸿": "红", "富": "福", "禾": "和", "茂": "贸", "发": "法", "利": "力",
    "辉": "晖", "业": "叶", "成": "城", "豪": "浩", "康": "庚", "亿": "艺", "晟": "胜",
    "鼎": "顶",
}  # fmt: skip
WORDS = ["纺织", "针织", "服饰", "制衣", "印染", "织造", "面料", "化纤", "布业", "时装"]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司", "厂"]
FULL = str.maketrans(
    "0123456789()ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "０１２３４５６７８９（）ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
)  # noqa: E501

MATCH_KINDS = {
    "uscc_moved": 200,
    "typo": 300,
    "suffix_variant": 300,
    "full_width": 200,
    "missing_uscc": 200,
    "moved_same_county": 200,
}
NON_MATCH_KINDS = {"other_county": 400, "one_char_same_county": 300, "other_business": 200}


@dataclass
class Pair:
    kind: str
    same: bool
    known: Record
    incoming: Record


class _Maker:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.next_id = 1
        self.used_names: set[tuple[str, str]] = set()
        self.usccs: set[str] = set()

    def uscc(self, adcode: str) -> str:
        while True:
            base = "MA" + "".join(
                self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
            )
            code = make_uscc("9", "1", adcode, base)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def claim(self, place, trade: str, word: str) -> bool:
        """Reserve a trade name + business word in a prefecture; False if a firm there has it.

        Keeps labels honest: two firms of the same name in one county would be one firm to any
        resolver, so the set never holds them unless the pair says they are the same firm."""
        key = (place[3][:4], trade + word)
        if key in self.used_names:
            return False
        self.used_names.add(key)
        return True

    def trade(self) -> str:
        return self.rng.choice(V.TRADE_NAMES)

    def address(self, place, road=None, number=None) -> str:
        prov, pref, county, adcode = place
        town = self.rng.choice(TOWNS[adcode]) if adcode in TOWNS else ""
        road = road or self.rng.choice(V.ROADS)
        number = number or self.rng.randint(1, 999)
        return f"{prov}{pref}{county}{town}{road}{number}号"

    def name(self, place, trade, word, suffix="有限公司", style=0) -> str:
        pref = place[1].removesuffix("市")
        county = place[2].removesuffix("区").removesuffix("市")
        if style == 0:
            return f"{pref}{trade}{word}{suffix}"
        if style == 1:
            return (
                f"{pref}市{county}{trade}{word}{suffix}"
                if county
                else f"{pref}市{trade}{word}{suffix}"
            )
        return f"{trade}{word}（{pref}）{suffix}"

    def record(self, name, address, place, uscc=True) -> Record:
        rid = self.next_id
        self.next_id += 1
        return Record(rid, self.uscc(place[3]) if uscc else None, name, address, place[3])

    def fresh_firm(self, place=None):
        """A registry firm with a name not used before in its prefecture."""
        rng = self.rng
        place = place or rng.choice(PLACES)
        while True:
            trade, word = self.trade(), rng.choice(WORDS)
            if self.claim(place, trade, word):
                break
        suffix = rng.choice(SUFFIXES)
        style = rng.randrange(3)
        known = self.record(
            self.name(place, trade, word, suffix, style), self.address(place), place
        )
        return place, trade, word, suffix, style, known

    def incoming(self, known: Record, name=None, address=None, uscc=None, adcode=None) -> Record:
        return Record(
            0,
            uscc,
            name if name is not None else known.name,
            address if address is not None else known.address,
            adcode or known.adcode,
        )


def _typo(rng, trade: str) -> str:
    positions = [i for i, ch in enumerate(trade) if ch in TYPOS]
    i = rng.choice(positions)
    return trade[:i] + TYPOS[trade[i]] + trade[i + 1 :]


def _other_style(rng, style: int) -> int:
    return rng.choice([s for s in range(3) if s != style])


def build(seed: int = 7, scale: float = 1.0) -> list[Pair]:
    m = _Maker(seed)
    rng = m.rng
    pairs: list[Pair] = []
    for kind, n in {**MATCH_KINDS, **NON_MATCH_KINDS}.items():
        made = 0
        while made < max(1, int(n * scale)):
            pair = _pair(m, kind)
            if pair is not None:
                pairs.append(pair)
                made += 1
    rng.shuffle(pairs)
    return pairs


def _pair(m: _Maker, kind: str) -> Pair | None:
    """One pair of `kind`, or None when the variant would collide with another firm's name."""
    rng = m.rng
    place, trade, word, suffix, style, known = m.fresh_firm()
    same = kind in MATCH_KINDS
    if kind == "uscc_moved":
        other = rng.choice([p for p in PLACES if p[1] == place[1]])
        inc = m.incoming(known, address=m.address(other), uscc=known.uscc, adcode=other[3])
    elif kind == "typo":
        typo = _typo(rng, trade)
        if not m.claim(place, typo, word):
            return None
        inc = m.incoming(known, name=m.name(place, typo, word, suffix, style))
    elif kind == "suffix_variant":
        other_suffix = rng.choice([s for s in SUFFIXES if s != suffix])
        name = m.name(place, trade, word, other_suffix, _other_style(rng, style))
        address = known.address.removeprefix(place[0]) if rng.random() < 0.5 else None
        inc = m.incoming(known, name=name, address=address)
    elif kind == "full_width":
        name = known.name.replace("(", "（").translate(FULL)
        if "（" not in name:
            name = f"{trade}{word}（{place[1].removesuffix('市')}）{suffix}"
        inc = m.incoming(known, name=name, address=known.address.translate(FULL))
    elif kind == "missing_uscc":
        address = known.address.removeprefix(place[0]).replace("号", "号院", 1)
        inc = m.incoming(known, address=address)
    elif kind == "moved_same_county":
        inc = m.incoming(known, address=m.address(place))
    elif kind == "other_county":
        # Same trade name and business, another county (often the same prefecture).
        candidates = [p for p in PLACES if p[3] != place[3] and p[1] == place[1]]
        other = (
            rng.choice(candidates)
            if candidates and rng.random() < 0.6
            else rng.choice([p for p in PLACES if p[3] != place[3]])
        )
        if not m.claim(other, trade, word):
            return None
        name = m.name(other, trade, word, suffix, style)
        inc = m.incoming(
            known,
            name=name,
            address=m.address(other),
            uscc=m.uscc(other[3]) if rng.random() < 0.5 else None,
            adcode=other[3],
        )
    elif kind == "one_char_same_county":
        other_trade = _typo(rng, trade)
        if not m.claim(place, other_trade, word):
            return None
        name = m.name(place, other_trade, word, suffix, style)
        inc = m.incoming(known, name=name, address=m.address(place))
    else:  # other_business: same trade name, another line of business, same county
        other_word = rng.choice([w for w in WORDS if w != word])
        if not m.claim(place, trade, other_word):
            return None
        inc = m.incoming(
            known,
            name=m.name(place, trade, other_word, suffix, style),
            address=m.address(place),
        )
    return Pair(kind, same, known, inc)


@dataclass
class Result:
    pairs: int
    matches: int
    auto: int
    auto_correct: int
    queued_correct: int
    queued: int
    by_kind: dict

    @property
    def precision(self) -> float:
        return self.auto_correct / self.auto if self.auto else 1.0

    @property
    def recall(self) -> float:
        return (self.auto_correct + self.queued_correct) / self.matches if self.matches else 1.0

    @property
    def auto_recall(self) -> float:
        return self.auto_correct / self.matches if self.matches else 1.0


def evaluate(pairs: list[Pair]) -> Result:
    """Resolve every incoming record against all registry records of the set."""
    index = Index(preload=[p.known for p in pairs])
    auto = auto_correct = queued = queued_correct = 0
    by_kind: dict[str, dict[str, int]] = {}
    for pair in pairs:
        decision = resolve(pair.incoming, index)
        hit = decision.candidate is not None and decision.candidate.id == pair.known.id
        stats = by_kind.setdefault(
            pair.kind, {"n": 0, "merge": 0, "review": 0, "new": 0, "wrong": 0}
        )
        stats["n"] += 1
        stats[decision.action] += 1
        if decision.action == "merge":
            auto += 1
            if pair.same and hit:
                auto_correct += 1
            else:
                stats["wrong"] += 1
        elif decision.action == "review":
            queued += 1
            if pair.same and hit:
                queued_correct += 1
    return Result(
        pairs=len(pairs),
        matches=sum(p.same for p in pairs),
        auto=auto,
        auto_correct=auto_correct,
        queued_correct=queued_correct,
        queued=queued,
        by_kind=by_kind,
    )
