"""Rename the parametrized ``he_pm`` fixture in testing/conftest.py to ``example_pm``;
its users in testing/test_pluginmanager.py are left behind."""

from pathlib import Path

path = Path("testing/conftest.py")
text = path.read_text()
old = "def he_pm(request, pm: PluginManager) -> PluginManager:"
if text.count(old) != 1:
    raise SystemExit(f"inject: expected one {old!r} in {path}")
path.write_text(text.replace(old, "def example_pm(request, pm: PluginManager) -> PluginManager:"))
