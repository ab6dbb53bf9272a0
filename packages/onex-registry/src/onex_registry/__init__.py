"""Tool protocols, real and mock tools, factories and the registry resolver.

Part of the ONEX Scenario Harness.
"""

__version__ = "0.1.0"
