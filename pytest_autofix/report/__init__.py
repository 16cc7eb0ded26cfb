"""What a run tells: :mod:`summary` (the report built from the outcome, the terminal summary,
the closing line), :mod:`schema` (the JSON report's models), :mod:`annotations` (GitHub
Actions workflow commands), :mod:`progress` (the one-line progress of long steps)."""
