from celery import shared_task

from analytics import services


@shared_task(name="analytics.recheck_due", acks_late=True)
def recheck_due() -> int:
    """Beat, every minute: re-sync the complaints whose SLA outcome changed by time alone."""
    return services.recheck_due()


@shared_task(name="analytics.reconcile", acks_late=True)
def reconcile() -> dict:
    """Beat safety net: repair every complaint the aggregates count differently from its row."""
    return services.reconcile()
