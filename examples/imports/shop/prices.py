"""Item prices and tax. This module used to be ``shop/pricing.py``."""

TAX_RATE = 0.2


def subtotal(items):
    return round(sum(price * qty for _, price, qty in items), 2)


def with_tax(amount, rate=TAX_RATE):
    return round(amount * (1 + rate), 2)
