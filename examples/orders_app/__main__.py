"""`python -m examples.orders_app` starts the orders service."""

import asyncio

from examples.orders_app.service import main

asyncio.run(main())
