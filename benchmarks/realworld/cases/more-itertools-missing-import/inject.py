"""Injected mistake: an over-eager import clean-up in more_itertools/more.py deleted
`import math` (it looked redundant next to `from math import comb, e, exp, ...`), but
circular_shifts() still calls math.gcd."""
path = "more_itertools/more.py"
text = open(path, encoding="utf-8").read()
needle = "\nimport math\nimport types\n"
if needle not in text or "math.gcd(n, steps)" not in text:
    raise SystemExit(f"inject: expected text not found in {path}")
text = text.replace(needle, "\nimport types\n", 1)
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
