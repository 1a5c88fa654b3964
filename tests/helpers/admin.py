"""Posting to the Django admin's complaint change view from tests."""


def empty_inline_management() -> dict[str, str]:
    """The management form data of the complaint change view's inlines, with no rows."""
    data: dict[str, str] = {}
    for prefix in ("history", "comments", "attachments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "0",
            }
        )
    return data
