"""Injected mistake: an over-eager import clean-up in more_itertools/more.py deleted
`import math` (it looked redundant next to `from math import comb, e, exp, ...`), but
circular_shifts() still calls math.gcd."""

from injecting import expect, replace

expect("more_itertools/more.py", "math.gcd(n, steps)")
replace("more_itertools/more.py", "\nimport math\nimport types\n", "\nimport types\n")
