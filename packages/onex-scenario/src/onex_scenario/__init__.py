"""Scenario models and YAML loader of the ONEX Scenario Harness (extends, interpolation, env overrides, JSON Schema)."""

__version__ = "0.1.0"
