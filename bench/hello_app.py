"""The floor of the web stack: one constant Starlette route, served by uvicorn as tidings is.

    python bench/hello_app.py PORT

``tidings serve`` calls ``uvicorn.run(app, host=..., port=..., log_level="info",
access_log=False)``; this does the same, so the only difference is the application.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


async def hello(request: Request) -> Response:
    return PlainTextResponse("hello")


app = Starlette(routes=[Route("/", hello)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info", access_log=False)
