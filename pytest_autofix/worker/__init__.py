"""What runs in every test process (the session's, each pytest-xdist worker's, each rerun's):
:mod:`capture` turns a failure into facts while its exception is live, :mod:`sourcemap` maps
an assertion-rewritten frame back to its source, :mod:`recorder` is the rerun's plugin that
writes its outcomes for the engine. Nothing here imports the engine.
"""
