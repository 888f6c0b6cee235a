"""Offline geocoding of Chinese addresses to county level, with `cpca` and its division table."""

from dataclasses import asdict, dataclass

from . import divisions


@dataclass
class Place:
    province: str = ""
    city: str = ""
    county: str = ""
    adcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    precision: str = "none"  # none, province, city, county

    def as_dict(self) -> dict:
        return asdict(self)


def _blank(value) -> str:
    return value if isinstance(value, str) else ""


def geocode_many(addresses: list[str]) -> list[Place]:
    import cpca  # imported lazily: it loads its tables on import

    frame = cpca.transform([a or "" for a in addresses])
    places = []
    for row in frame.itertuples(index=False):
        prov, city, county, adcode = (_blank(v) for v in (row[0], row[1], row[2], row[4]))
        adcode = adcode[:6]
        if not adcode:
            places.append(Place())
            continue
        if county or divisions.has_no_counties(adcode):
            # Dongguan and Zhongshan run their towns directly: the city is the county level.
            precision = "county"
        elif city:
            precision = "city"
        else:
            precision = "province"
        division = divisions.get(adcode)
        places.append(
            Place(
                province=prov,
                city=city if city not in ("市辖区", "县") else "",
                county=county,
                adcode=adcode,
                latitude=division.latitude if division else None,
                longitude=division.longitude if division else None,
                precision=precision,
            )
        )
    return places


def geocode(address: str) -> Place:
    return geocode_many([address])[0]
