"""What the service says and logs when a request fails: never a value the request or the data carried.

A 422 is FastAPI's, without the offending input (it would echo what the client sent, NaN included, which JSON
cannot carry back). An unexpected exception becomes a 500 here, logged by its type and the route's template only:
left to reach the server, it would be logged whole, message (libraries quote the values they choke on) and path
(which holds ids) included."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ml_assets.errors import describe
from ml_assets.service.auth import ASGIApp, Scope

log = logging.getLogger(__name__)
INTERNAL_ERROR = json.dumps({"detail": "internal error"}).encode()


async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [{k: v for k, v in e.items() if k not in ("input", "url")} for e in error.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


class UnexpectedErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            route = getattr(scope.get("route"), "path", "(no route)")
            log.error("unhandled error on %s %s: %s", scope["method"], route, describe(error))
            if not started:  # else the client sees the connection end early; there is nothing better to send
                headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(INTERNAL_ERROR))]
                await send({"type": "http.response.start", "status": 500, "headers": headers})
                await send({"type": "http.response.body", "body": INTERNAL_ERROR})


def install(app: FastAPI) -> None:
    """After the other middlewares: the outermost of them, so that it sees whatever they raise."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_middleware(UnexpectedErrorMiddleware)
