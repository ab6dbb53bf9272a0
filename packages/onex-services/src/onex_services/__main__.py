"""`python -m onex_services ...` is `onex services ...`, without needing the root `onex` CLI."""

from onex_services.cli import services

if __name__ == "__main__":
    services(prog_name="onex services")
