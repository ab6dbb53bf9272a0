"""The ONEX Scenario Harness in one install.

This distribution holds no code of its own: it pins the four that make the harness, in lock-step
versions (onex-scenario, onex-registry, onex-services, onex-runner). See the README's section
"Use it in your project".
"""

__version__ = "0.1.0"
