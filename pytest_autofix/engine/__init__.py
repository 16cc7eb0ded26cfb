"""The controller, in the process that plans (the only one, or the pytest-xdist controller).

The stages, in the order a failure meets them: :mod:`session` (the pytest plugin that gathers
the failures and hands them over at the end of the session), :mod:`rounds` (the rounds of
classify, route, plan, apply, verify), :mod:`classify` (failure -> issue code and root-cause
key; issues grouped), :mod:`route` (which fixers see an issue, which fixes may be applied),
:mod:`plan` (the fixes merged into file contents), :mod:`verify` (which tests to rerun, the
rerun, its evidence). :mod:`warm` starts rerun interpreters ahead; :mod:`bytecode` writes the
bytecode of edited test modules. Files are written only through
:mod:`pytest_autofix.transaction`.
"""
