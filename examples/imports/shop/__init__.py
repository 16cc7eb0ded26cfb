"""A tiny shop: prices, order totals, exports and delivery dates."""
