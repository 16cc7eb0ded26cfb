"""Rename the parametrized ``he_pm`` fixture in testing/conftest.py to ``example_pm``;
its users in testing/test_pluginmanager.py are left behind."""

from injecting import replace

replace(
    "testing/conftest.py",
    "def he_pm(request, pm: PluginManager) -> PluginManager:",
    "def example_pm(request, pm: PluginManager) -> PluginManager:",
)
