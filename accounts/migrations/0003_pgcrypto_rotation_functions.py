"""SQL functions for rotating PGCRYPTO_KEY (complaints_project/encrypted_fields.py).

Both keys come from per-connection settings (``app.pgcrypto_key``, ``app.pgcrypto_key_previous``),
never from arguments, so no statement text carries them. A wrong key raises SQLSTATE 39000
("Wrong key or corrupt data"); the exception blocks catch exactly that. They open a
subtransaction each, hence PARALLEL UNSAFE.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION pgcrypto_decrypt_rotating(data bytea) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE AS $$
BEGIN
    BEGIN
        RETURN pgp_sym_decrypt(data, current_setting('app.pgcrypto_key'));
    EXCEPTION WHEN external_routine_invocation_exception THEN
        RETURN pgp_sym_decrypt(data, current_setting('app.pgcrypto_key_previous'));
    END;
END
$$;

CREATE OR REPLACE FUNCTION pgcrypto_is_current(data bytea) RETURNS boolean
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE AS $$
BEGIN
    PERFORM pgp_sym_decrypt_bytea(data, current_setting('app.pgcrypto_key'));
    RETURN true;
EXCEPTION WHEN external_routine_invocation_exception THEN
    RETURN false;
END
$$;

CREATE OR REPLACE FUNCTION pgcrypto_reencrypt(data bytea, options text) RETURNS bytea
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE AS $$
BEGIN
    IF pgcrypto_is_current(data) THEN
        RETURN data;
    END IF;
    RETURN pgp_sym_encrypt(
        pgp_sym_decrypt(data, current_setting('app.pgcrypto_key_previous')),
        current_setting('app.pgcrypto_key'),
        options
    );
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS pgcrypto_reencrypt(bytea, text);
DROP FUNCTION IF EXISTS pgcrypto_is_current(bytea);
DROP FUNCTION IF EXISTS pgcrypto_decrypt_rotating(bytea);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_encrypted_fields_fast_s2k"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
