"""Orders: a package module that still imports the old module name."""

from .pricing import subtotal, with_tax


class Order:
    def __init__(self, items):
        self.items = list(items)

    def total(self):
        return with_tax(subtotal(self.items))
