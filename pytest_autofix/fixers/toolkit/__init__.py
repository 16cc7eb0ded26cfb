"""What every fixer may use, ours and third parties' (see docs/api.md, *The fixers' toolkit*).

- :mod:`.scan`: what a module defines and imports, who reads a name, and where.
- :mod:`.edits`: :class:`~.edits.Edits` (a fix's edits, each checked on the file as it is),
  ``listing``, ``located``.
- :mod:`.import_transforms`: libcst transforms that rename, move, add and drop imports and
  the names they bind, keeping every reader working.
- :mod:`.import_style`: the project's isort/ruff settings, which put an added import in its
  section and order.
- :mod:`.installed`: what the environment has installed, without importing it.
- :mod:`.fixture_scan` / :mod:`.fixture_transforms`: fixtures, their requesters, and the
  transforms that rename, move and decorate them.
- :mod:`.fixture_not_found`: what the ``fixture.not-found`` fixers share (the requesters of a
  missing fixture, the functions that lost their decorator).
- :mod:`.environment_transforms`: the transforms of the migration catalogue;
  :mod:`.environment_confidence`: the confidence levels of the environment fixers.
- :mod:`.cst`: small libcst helpers.
- :mod:`.history`: what the project's git history says was renamed (files, functions).
"""
