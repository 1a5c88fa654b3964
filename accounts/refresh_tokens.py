"""Refresh tokens at rest: simplejwt's outstanding-token table keeps no token.

``OutstandingToken.token`` would hold the encoded refresh token (as first minted, before the
custom claims are added, and still valid), which refreshes when copied out of a database dump
or a backup. Revocation needs only the ``jti`` (the blacklist is checked by jti), the user and
the expiry, so the column is left empty. Each path of the library that writes the row
(``for_user``, ``outstand``, ``blacklist``) goes through ``save()``, so a ``pre_save`` receiver
(connected in ``AccountsConfig.ready``) covers them all; migration 0004 emptied the rows
written before.
"""


def drop_token_before_save(sender, instance, **kwargs) -> None:
    instance.token = ""
