"""The list pager says what the API's count means (exact, or a lower bound past the cap), and why
the list stops where the API serves no deeper page."""

from streamlit_frontend.api_client import Page
from streamlit_frontend.lists import end_of_list_hint, page_caption, page_total


def test_an_exact_count_gives_the_pages():
    page = Page.from_payload({"count": 23, "count_is_exact": True, "results": [], "next": "x"})
    assert page_total(page, page_size=10) == 3
    assert page_caption(page, page_no=2, page_size=10) == "Page 2 of 3 · 23 complaint(s)"
    assert end_of_list_hint(page) is None


def test_a_capped_count_says_more_than_the_apis_lower_bound():
    page = Page.from_payload({"count": 1320, "count_is_exact": False, "results": [], "next": "x"})
    assert page_total(page) is None
    assert page_caption(page, page_no=132) == (
        "Page 132 · more than 1,320 complaints (not counted further)"
    )
    assert end_of_list_hint(page) is None  # a next page follows


def test_the_deepest_page_served_says_why_the_list_stops():
    deepest = Page.from_payload({"count": 5000, "count_is_exact": False, "results": []})
    assert "filters or another sort order" in str(end_of_list_hint(deepest))
    last = Page.from_payload({"count": 4990, "count_is_exact": True, "results": []})
    assert end_of_list_hint(last) is None  # the real end of the list


def test_lists_without_the_flag_are_exact():
    assert Page.from_payload({"count": 3, "results": []}).count_is_exact
