# Types for the parts of django-pgcrypto-fields this project uses (the package ships none).
# Each encrypted field stores and returns the same Python value as the Django field it extends.
from django.db import models

class PGPSymmetricKeyFieldMixin:
    encrypt_sql: str

class TextPGPSymmetricKeyField(PGPSymmetricKeyFieldMixin, models.TextField): ...
class CharPGPSymmetricKeyField(PGPSymmetricKeyFieldMixin, models.CharField): ...
class EmailPGPSymmetricKeyField(PGPSymmetricKeyFieldMixin, models.EmailField): ...
