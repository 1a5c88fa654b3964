"""Empty the refresh tokens kept in token_blacklist_outstandingtoken (accounts/refresh_tokens.py).

Not reversible: the tokens are gone, which is the point. They stay valid until they expire or
are blacklisted, both by jti.
"""

from django.db import migrations

DROP_STORED_TOKENS = "UPDATE token_blacklist_outstandingtoken SET token = '' WHERE token <> ''"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_pgcrypto_rotation_functions"),
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
    ]

    operations = [migrations.RunSQL(DROP_STORED_TOKENS, migrations.RunSQL.noop)]
