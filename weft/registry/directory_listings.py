"""What the enterprise directory shows of each firm (its listing), kept with the in-memory index.

Why: with the search answered from memory, reading the page's 20 rows was the one database read
left besides the directory's version, and a third of a first-time request's time at a million
firms (BENCHMARKS.md). The snapshot keeps every firm's listing as of its build, in the index's
order; firms written since are in the change log (migration 0012 logs every listed column), so
their rows are read from the database, as they are now.

Each listing is a compact JSON array. The place (province, city, county), the chain stages and
the approved clusters repeat across firms, so each is stored once in a table of the header and
a listing holds its number there: about 100 bytes a firm.
"""

from array import array
from collections.abc import Iterable

import numpy as np
import orjson

# (values as selectors.LIST_FIELDS orders them, the id first; stage ids; cluster ids)
Listing = tuple[tuple, list[int], list[int]]


class ListingsBuilder:
    """Collects listings in the index's order (`add` once per firm, then `done`)."""

    def __init__(self):
        self._blob = bytearray()
        self._ends = array("Q")
        self._tables: dict[str, dict] = {"places": {}, "stages": {}, "clusters": {}}

    def _number(self, table: str, value: tuple) -> int:
        numbers = self._tables[table]
        return numbers.setdefault(value, len(numbers))

    def add(self, values: tuple, stage_ids: list[int], cluster_ids: list[int]) -> None:
        uscc, name_zh, name_en, province, city, county, products, size_band, is_demo = values[1:]
        row = [
            uscc,
            name_zh,
            name_en,
            self._number("places", (province, city, county)),
            products,
            size_band,
            int(bool(is_demo)),
            self._number("stages", tuple(sorted(stage_ids))),
            self._number("clusters", tuple(cluster_ids)),
        ]
        self._blob += orjson.dumps(row)
        self._ends.append(len(self._blob))

    def done(self) -> "Listings":
        ends = np.frombuffer(self._ends, dtype=np.uint64) if self._ends else np.zeros(0, np.uint64)
        tables = {name: [list(v) for v in numbers] for name, numbers in self._tables.items()}
        # The builder's own buffer, handed over rather than copied (145 MiB at a million firms).
        blob, self._blob = self._blob, bytearray()
        return Listings(blob, ends.copy(), tables)


class Listings:
    def __init__(self, blob, ends: np.ndarray, tables: dict[str, list[list]]):
        self.blob = blob
        # Position → end of its listing in `blob`. A memoryview: its items are Python ints,
        # read in a third of the time of a numpy array's.
        self.ends = memoryview(ends)
        self.places = [tuple(p) for p in tables["places"]]
        self.stages = tables["stages"]
        self.clusters = tables["clusters"]

    def __len__(self) -> int:
        return len(self.ends)

    def at(self, firm_ids: list[int], positions: Iterable[int]) -> list[Listing]:
        """The listings of these firms, at these positions of the index."""
        ends, blob = self.ends, self.blob
        pieces = b",".join([blob[ends[p - 1] if p else 0 : ends[p]] for p in positions])
        rows = orjson.loads(b"[" + pieces + b"]")
        return [
            (
                (firm_id, uscc, name_zh, name_en, *self.places[place], products, size, bool(demo)),
                self.stages[stages],
                self.clusters[clusters],
            )
            for firm_id, (
                uscc,
                name_zh,
                name_en,
                place,
                products,
                size,
                demo,
                stages,
                clusters,
            ) in (zip(firm_ids, rows, strict=True))
        ]

    # The snapshot's section: a header (JSON), the ends, then the listings.
    def header(self) -> dict:
        places = [list(place) for place in self.places]
        return {
            "size": len(self.blob),
            "places": places,
            "stages": self.stages,
            "clusters": self.clusters,
        }

    def parts(self) -> list[bytes]:
        return [np.asarray(self.ends).astype("<u8").tobytes(), bytes(self.blob)]

    @classmethod
    def from_parts(cls, header: dict, view: memoryview, firms: int) -> tuple["Listings", int]:
        """The listings stored at the start of `view`, and how many bytes they took."""
        ends = np.frombuffer(view[: 8 * firms], dtype="<u8").astype(np.uint64)
        at = 8 * firms
        # A copy: a view would keep the whole loaded snapshot alive, twice the listings' size.
        blob = bytes(view[at : at + header["size"]])
        tables = {name: header[name] for name in ("places", "stages", "clusters")}
        return cls(blob, ends, tables), at + header["size"]
