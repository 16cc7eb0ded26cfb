"""Small statistics helpers, with real bugs in them."""
