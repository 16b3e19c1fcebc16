"""Bearer-token authentication of every endpoint but /health."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

CHALLENGE = {"WWW-Authenticate": "Bearer"}
# auto_error=False: we answer 401 ourselves (HTTPBearer alone says 403); declaring it documents the scheme in
# the OpenAPI schema.
bearer = HTTPBearer(auto_error=False, description="The value of APOLLO_SERVICE_TOKEN.")


async def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    # async: a plain `def` dependency would run in the thread pool, a hop that costs more than the check itself.
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers=CHALLENGE)
    expected: bytes = request.app.state.token
    if not hmac.compare_digest(credentials.credentials.encode(), expected):  # constant time: no timing oracle
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid bearer token", headers=CHALLENGE)
