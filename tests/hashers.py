from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with minimal cost so the suite stays fast; same algorithm tag as production."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
