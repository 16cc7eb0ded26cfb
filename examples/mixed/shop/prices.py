def total(items):
    return sum(price for _, price in items)


def with_tax(amount, rate=0.2):
    return round(amount * (1 + rate), 2)
