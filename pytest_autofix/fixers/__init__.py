"""The built-in fixers, one public module per fixer, by family: :mod:`.imports`,
:mod:`.fixtures`, :mod:`.environment`; what every fixer may use is in :mod:`.toolkit`. They
register through ``pytest_autofix_fixers`` like any plugin's (:mod:`.registry`), and load on
first use."""
