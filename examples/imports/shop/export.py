"""Export orders as JSON text."""

import json


def order_json(order_id, items):
    lines = [{"sku": sku, "price": price, "qty": qty} for sku, price, qty in items]
    return json.dumps({"id": order_id, "lines": lines}, sort_keys=True)
