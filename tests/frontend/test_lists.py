"""The queue pager says what the API's count means (exact, or a lower bound past the cap)."""

from streamlit_frontend.api_client import Page
from streamlit_frontend.lists import page_caption


def test_an_exact_count_gives_the_pages():
    page = Page.from_payload({"count": 23, "count_is_exact": True, "results": [], "next": "x"})
    assert page_caption(page, page_no=2, page_size=10) == "Page 2 of 3 - 23 complaint(s)"


def test_a_capped_count_says_more_than():
    page = Page.from_payload({"count": 1000, "count_is_exact": False, "results": []})
    assert page_caption(page, page_no=7) == "Page 7 - more than 1,000 complaints"


def test_lists_without_the_flag_are_exact():
    assert Page.from_payload({"count": 3, "results": []}).count_is_exact
