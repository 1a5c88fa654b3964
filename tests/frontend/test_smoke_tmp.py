def test_login_page(new_app):
    at = new_app()
    assert not at.exception, at.exception
    print([t.value for t in at.title])
    assert at.title[0].value == "Log in"
