import collections


def merge(*ledgers):
    """Sum several ledgers (sku -> quantity) into a new one."""
    for ledger in ledgers:
        if not isinstance(ledger, collections.MutableMapping):
            raise TypeError(f"not a ledger: {ledger!r}")
    total = {}
    for ledger in ledgers:
        for sku, qty in ledger.items():
            total[sku] = total.get(sku, 0) + qty
    return total
