"""`python -m orders_service`: the service on `HOST`:`PORT` (default 127.0.0.1:8000)."""

from __future__ import annotations

import os

import uvicorn

from orders_service.app import create_app


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
