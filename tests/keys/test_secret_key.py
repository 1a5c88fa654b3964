"""SECRET_KEY rotation with SECRET_KEY_FALLBACKS: sessions and signed values survive it.

The new key signs; the old one, kept in SECRET_KEY_FALLBACKS until the longest-lived signed
value has expired (SESSION_COOKIE_AGE for sessions), still verifies, and a session used
meanwhile is re-signed. A session not used before the fallback goes ends: that is what a bare
SECRET_KEY change would do to every staff member at once.
"""

import secrets

import pytest
from django.core import signing
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory

OLD_KEY = "old-" + secrets.token_urlsafe(50)
NEW_KEY = "new-" + secrets.token_urlsafe(50)


@pytest.mark.django_db
def test_admin_session_and_signed_values_survive_a_rotation(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    supervisor = UserFactory(role="supervisor")
    active, away = Client(), Client()
    for browser in (active, away):
        assert browser.login(email=supervisor.email, password=DEFAULT_PASSWORD)
        assert browser.get("/admin/").status_code == 200
    signed = signing.dumps({"complaint": 42})

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert active.get("/admin/").status_code == 200  # Django re-signs this session
    assert signing.loads(signed) == {"complaint": 42}
    assert signing.loads(signing.dumps("fresh"), fallback_keys=[]) == "fresh"

    settings.SECRET_KEY_FALLBACKS = []
    assert active.get("/admin/").status_code == 200
    assert away.get("/admin/").status_code == 302  # not seen during the rotation: logged out
    with pytest.raises(signing.BadSignature):
        signing.loads(signed)
