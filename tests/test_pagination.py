"""The page a web list shows for whatever `?page=` its link carries."""

import pytest
from django.core.paginator import Paginator

from weft.core.pagination import nearest_page


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("0", 1),
        ("-3", 1),
        ("1.5", 1),
        ("2", 2),
        ("3", 3),
        ("4", 3),
        ("99999999999999999999999", 3),
    ],
)
def test_nearest_page(asked, shown):
    # Paginator.get_page answers "0" and "-3" with the last page, not the nearest.
    assert nearest_page(Paginator(range(45), 20), asked).number == shown


def test_nearest_page_of_an_empty_list_is_the_first():
    assert nearest_page(Paginator([], 20), "0").number == 1
