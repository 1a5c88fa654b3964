from django.contrib import admin

from analytics.models import DailyComplaintStats


@admin.register(DailyComplaintStats)
class DailyComplaintStatsAdmin(admin.ModelAdmin):
    list_display = ("day", "created", "acknowledged", "resolved", "closed", "sla_breached")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
