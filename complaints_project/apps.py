from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """Project-wide wiring that needs the app registry: system checks and metrics."""

    name = "complaints_project"
    verbose_name = "Complaints platform"

    def ready(self) -> None:
        from complaints_project import checks  # noqa: F401 - registers the system checks
        from complaints_project.metrics import instrument_database_connections

        instrument_database_connections()
