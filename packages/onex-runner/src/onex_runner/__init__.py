"""Scenario runner, pytest plugin, onex CLI and reports of the ONEX Scenario Harness."""

__version__ = "0.1.0"
