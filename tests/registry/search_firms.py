"""Firms for the directory's search tests: names, towns and products repeat on purpose (equal
names are ordered by id), spread over two provinces, stages and size bands."""

import random

from weft.core.pagination import windowed_page
from weft.registry.selectors import enterprise_directory

from ..factories import make_enterprise

TOWNS = ["虎门", "大朗", "柯桥", "盛泽"]
SOUTH = ("虎门", "大朗")  # in 广东省; the others in 浙江省
NAMES = ["阿里", "北方", "常熟", "东方", "虎门", "绍兴", "中山"]


def make_search_firms(count: int, seed: int, products: list[str], english: bool = False):
    rng = random.Random(seed)
    made = []
    for i in range(count):
        town = rng.choice(TOWNS)
        south = town in SOUTH
        made.append(
            make_enterprise(
                name_zh=f"{rng.choice(NAMES)}{town}{rng.choice(products)}有限公司",
                name_en=f"{town} Trading Co., Ltd." if english and i % 3 else "",
                address=f"{'广东省' if south else '浙江省'}{town}镇{i}号",
                adcode="441900" if south else "330603",
                province="广东省" if south else "浙江省",
                products=rng.choice(products),
                stages=(rng.choice(["knitting", "garment_making", "weaving"]),),
                employees=rng.choice([5, 50, 500]),
            )
        )
    return made


def database_answer(filters, start: int, size: int):
    """A page and count by the generic plan: the database's window over every match."""
    return windowed_page(enterprise_directory(filters).values("id"), start, size)
