"""The Django admin, its ModelAdmins discovered where the admin is used, not in every process.

Django's default admin config imports every app's ``admin`` module at start-up, and with
them the domain services the admin's actions call. The outbox relay and the event consumer
need none of that. Here the URLconf (web processes) and the admin's system checks discover
the ModelAdmins.
"""

from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig


class AdminSite(admin.AdminSite):
    def check(self, app_configs):
        # Before the URLconf may have loaded: the checks must see every ModelAdmin.
        admin.autodiscover()
        return super().check(app_configs)


class AdminConfig(SimpleAdminConfig):
    default_site = "complaints_project.admin_site.AdminSite"
