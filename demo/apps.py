from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for local development, benchmarks and tests (``manage.py seed_demo``).

    Depends on every domain app and none depends on it, so seeding stays out of them.
    """

    name = "demo"
