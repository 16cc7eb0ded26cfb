"""A warehouse package written for Python 3.8, run on 3.11+."""
