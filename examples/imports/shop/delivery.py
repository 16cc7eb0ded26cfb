"""Delivery dates. Uses python-dateutil, which the project never declared: it used to arrive
as a dependency of another package."""

from datetime import timedelta

from dateutil.parser import isoparse


def due_date(ordered_at, days=3):
    return (isoparse(ordered_at) + timedelta(days=days)).date().isoformat()
