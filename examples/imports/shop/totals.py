"""Totals over several orders."""


def compute_total(amounts, discount=0.0):
    """Sum ``amounts`` and take off ``discount`` (a fraction). Was ``calc_total``."""
    return round(sum(amounts) * (1 - discount), 2)


def average(amounts):
    return round(sum(amounts) / len(amounts), 2) if amounts else 0.0
