"""Directory search: Chinese substring search and facet filters as one indexed query.

Chinese has no spaces, so word indexes do not find 虎门 inside 东莞市虎门镇…. Each enterprise
instead carries `search_tokens`: character unigrams and bigrams of its Chinese text, trigrams of
its Latin words, and one token per facet (cluster, province, stage, industry code, certification,
size band). A query becomes the tokens it must contain, answered by a GIN index (PostgreSQL) or
an FTS5 table (SQLite); the candidates are then checked against `search_text` with a plain
substring test, so bigram coincidences never show up as results.
"""

import re
import unicodedata

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(rf"^[{CJK}]+$")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, runs of space collapsed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(text.split())


def text_tokens(text: str, unigrams: bool = True) -> set[str]:
    tokens: set[str] = set()
    for run in _RUN.findall(normalise(text)):
        if _CJK_RUN.match(run):
            if unigrams:
                tokens.update(run)
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
        else:
            if len(run) < 3:
                tokens.add(run)
            tokens.update(run[i : i + 3] for i in range(len(run) - 2))
    return tokens


def query_tokens(term: str) -> list[str]:
    """The tokens a document must hold to possibly contain `term` as a substring."""
    term = normalise(term)
    tokens: list[str] = []
    for run in _RUN.findall(term):
        if _CJK_RUN.match(run):
            if len(run) > 1:
                tokens += [run[i : i + 2] for i in range(len(run) - 1)]
            elif run == term:
                tokens.append(run)
            # A lone character within a longer term (the 号 of 286号) is left to the substring
            # check: addresses index no single characters, so its unigram would miss them.
        elif len(run) >= 3:
            tokens += [run[i : i + 3] for i in range(len(run) - 2)]
        # Latin runs of one or two letters are left to the substring check.
    return list(dict.fromkeys(tokens))


def tokens_prove(term: str) -> bool:
    """Whether holding `query_tokens(term)` already proves `term` is a substring of the text.

    True for one CJK character or pair and for one three-letter Latin run: those are themselves
    tokens of the text. Longer terms need the substring check (their bigrams may be scattered).
    """
    runs = _RUN.findall(normalise(term))
    if len(runs) != 1 or runs[0] != normalise(term):
        return False
    run = runs[0]
    return len(run) <= 2 if _CJK_RUN.match(run) else len(run) == 3


def facet_token(facet: str, value) -> str:
    return f"{facet}:{str(value).lower()}"


def search_terms(q: str) -> list[str]:
    return [t for t in normalise(q).split(" ") if t]


def enterprise_search_text(e) -> str:
    parts = [e.name_zh, e.name_en, e.main_products, e.address, e.uscc or ""]
    return normalise(" ".join(p for p in parts if p))


def enterprise_tokens(
    e,
    *,
    cluster_ids,
    stage_codes,
    industry_codes,
    certification_codes,
) -> list[str]:
    """All tokens of one enterprise. Memberships passed in are the approved ones only."""
    tokens = text_tokens(" ".join([e.name_zh, e.name_en, e.main_products]))
    tokens |= text_tokens(e.address, unigrams=False)
    if e.uscc:
        tokens |= text_tokens(e.uscc)
    if e.adcode:
        tokens.add(facet_token("p", e.adcode[:2]))
    if e.size_band:
        tokens.add(facet_token("sz", e.size_band))
    tokens.update(facet_token("c", c) for c in cluster_ids)
    tokens.update(facet_token("s", s) for s in stage_codes)
    for code in industry_codes:
        # A class also answers for its group and division.
        tokens.update(facet_token("i", code[:n]) for n in (2, 3, 4) if len(code) >= n)
    tokens.update(facet_token("cert", c) for c in certification_codes)
    return sorted(tokens)


def cjk_trigrams(text: str) -> set[str]:
    """Three-character runs of the Chinese in normalised text: the directory's in-memory index
    holds them too, so a three-character term is decided without reading any firm's text."""
    tokens: set[str] = set()
    for run in _RUN.findall(text):
        if len(run) >= 3 and _CJK_RUN.match(run):
            tokens.update(run[i : i + 3] for i in range(len(run) - 2))
    return tokens


def index_query_tokens(term: str) -> list[str] | None:
    """The in-memory index's tokens deciding `term` (all of them present ⇔ the term is a
    substring of the firm's text), or None when the index cannot decide it alone."""
    if tokens_prove(term):
        return query_tokens(term)
    run = normalise(term)
    if len(run) == 3 and _CJK_RUN.match(run):
        return [run]
    return None
