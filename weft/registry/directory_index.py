"""The enterprise directory's in-memory index: a compressed bitmap of firms per search token.

Why: a search's exact count needs every match. PostgreSQL's GIN index cannot count without
visiting each match's row (BENCHMARKS.md), so a first-time search over a million firms costs tens
of milliseconds there. Here every token a firm holds (its `search_tokens`, plus the three-character
runs of its Chinese text) maps to a roaring bitmap of the firms holding it, numbered by their place
in the directory's order (`name_sort`, then id). A search is the intersection of its tokens'
bitmaps: the count is its length, and a page is a slice of it. Each firm's listing (what a
directory row shows, directory_listings.py) is kept too, so a page's rows are not read from the
database either, except those of firms changed since the snapshot.

The index is a snapshot (`services.build_directory_index`), kept in the database so that every
web process on every machine loads the same one. Firms written since (logged by database
triggers in `DirectoryChange`, migration 0010) are taken out of its answers and searched in the
database instead; see `selectors.indexed_matches`.
"""

import json
import struct
from array import array
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

import numpy as np
from pyroaring import BitMap, FrozenBitMap

from .directory_listings import Listings
from .search import cjk_trigrams

MAGIC = b"WEFTIX01"


class DirectoryIndex:
    def __init__(
        self,
        order: np.ndarray,
        postings: dict[str, FrozenBitMap],
        listings: Listings | None = None,
    ):
        self.order = order  # firm ids, in the directory's order: position → id
        self.postings = postings
        # What a directory row shows of each firm, in the same order (directory_listings.py);
        # None in snapshots built before it was kept: the database gives the rows then.
        self.listings = listings

    def __len__(self) -> int:
        return len(self.order)

    @classmethod
    def build(cls, rows: Iterable[tuple[int, Iterable[str], str]]) -> "DirectoryIndex":
        """From (id, search tokens, search text) of every firm, in the directory's order."""
        ids = array("q")
        positions: dict[str, array] = defaultdict(lambda: array("I"))
        for position, (firm_id, tokens, text) in enumerate(rows):
            ids.append(firm_id)
            for token in set(tokens) | cjk_trigrams(text):
                positions[token].append(position)
        return cls(
            np.frombuffer(ids, dtype=np.int64) if ids else np.zeros(0, dtype=np.int64),
            {token: FrozenBitMap(p) for token, p in positions.items()},
        )

    def dumps(self) -> bytes:
        tokens = list(self.postings)
        blobs = [self.postings[t].serialize() for t in tokens]
        header = {"firms": len(self.order), "tokens": tokens, "sizes": [len(b) for b in blobs]}
        listings = []
        if self.listings is not None:
            header["listings"] = self.listings.header()
            listings = self.listings.parts()
        header = json.dumps(header, ensure_ascii=False).encode()
        order = self.order.astype("<i8").tobytes()
        return b"".join([MAGIC, struct.pack("<Q", len(header)), header, order, *blobs, *listings])

    @classmethod
    def loads(cls, data: bytes) -> "DirectoryIndex":
        view = memoryview(data)
        if bytes(view[:8]) != MAGIC:
            raise ValueError("not a directory index")
        (header_size,) = struct.unpack("<Q", view[8:16])
        at = 16 + header_size
        header = json.loads(bytes(view[16:at]))
        firms = header["firms"]
        order = np.frombuffer(view[at : at + 8 * firms], dtype="<i8").astype(np.int64)
        at += 8 * firms
        postings = {}
        for token, size in zip(header["tokens"], header["sizes"], strict=True):
            postings[token] = FrozenBitMap.deserialize(view[at : at + size])
            at += size
        listings = None
        if "listings" in header:
            listings, _size = Listings.from_parts(header["listings"], view[at:], firms)
        return cls(order, postings, listings)

    def matching(self, tokens: list[str]) -> BitMap | FrozenBitMap:
        """Positions of the firms holding every token (all firms for none); not to be changed:
        it may be the index's own bitmap."""
        if not tokens:
            return BitMap(range(len(self.order)))
        bitmaps = []
        for token in tokens:
            bitmap = self.postings.get(token)
            if bitmap is None:
                return BitMap()
            bitmaps.append(bitmap)
        # Pairwise from the rarest: each step's result is no larger than the rarest token's.
        # (Twice as fast as `intersection(*bitmaps)` on the directory's facet tokens.)
        bitmaps.sort(key=len)
        found = bitmaps[0]
        for bitmap in bitmaps[1:]:
            found = found & bitmap
        return found

    def ids(self, positions: Iterable[int]) -> list[int]:
        return [int(self.order[p]) for p in positions]

    def positions(self, ids: list[int]) -> list[int | None]:
        """Each firm's position, in the order given; None for a firm the index does not hold."""
        if not ids or not len(self.order):
            return [None] * len(ids)
        wanted = np.array(ids, dtype=np.int64)
        at = np.searchsorted(self._sorted_ids, wanted).clip(0, len(self.order) - 1)
        found = self._sorted_ids[at] == wanted
        places = self._position_by_sorted[at].tolist()
        return [p if ok else None for p, ok in zip(places, found.tolist(), strict=True)]

    def positions_of(self, ids: Iterable[int]) -> BitMap:
        """Positions of those of these firms the index holds."""
        wanted = np.fromiter(ids, dtype=np.int64)
        if not len(wanted) or not len(self.order):
            return BitMap()
        at = np.searchsorted(self._sorted_ids, wanted).clip(0, len(self.order) - 1)
        found = self._sorted_ids[at] == wanted
        return BitMap(self._position_by_sorted[at[found]].astype(np.uint32))

    @cached_property
    def _position_by_sorted(self) -> np.ndarray:
        return np.argsort(self.order, kind="stable")

    @cached_property
    def _sorted_ids(self) -> np.ndarray:
        return self.order[self._position_by_sorted]
