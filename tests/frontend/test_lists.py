"""The list pager says what the API's count means (exact, or a lower bound past the cap), why
the list stops where the API serves no deeper page, and goes to a page typed in."""

import pytest

from complaints_project.pagination import CappedCountPagination
from streamlit_frontend.api_client import Page
from streamlit_frontend.lists import end_of_list_hint, page_caption, page_total
from tests.helpers.factories import ComplaintFactory
from tests.helpers.frontend import assert_ok, log_in, texts


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


@pytest.mark.django_db(transaction=True)
def test_go_to_page_opens_it_and_a_page_too_deep_shows_the_apis_error(
    new_app, customer, monkeypatch
):
    # The API's limits made small: exact up to 10 complaints, pages within the first 30.
    monkeypatch.setattr(CappedCountPagination, "count_cap", 10)
    monkeypatch.setattr(CappedCountPagination, "max_offset", 30)
    ComplaintFactory.create_batch(35, customer=customer)

    at = new_app()
    log_in(at, customer.email)
    assert at.title[0].value == "My complaints"
    assert "Page 1 · more than 10 complaints (not counted further)" in texts(at)

    at.number_input(key="my_goto").set_value(3).run()
    assert_ok(at)
    assert "Page 3 · more than 30 complaints (not counted further)" in texts(at)
    assert "The list stops here" in texts(at)
    assert at.button(key="my_next").disabled

    at.number_input(key="my_goto").set_value(4).run()
    assert_ok(at)
    assert any("Pages reach the first 30 items." in e.value for e in at.error), texts(at)
    assert "Page 3 · more than 30 complaints" in texts(at)
    assert at.number_input(key="my_goto").value == 3
