class PGPSymmetricKeyFieldMixin:
    encrypt_sql: str | None
