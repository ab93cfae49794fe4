"""FastAPI dependencies: the service, and the caller's identity (never self-declared).

Both are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, and two thread
hand-offs per call cost more than the whole decision. A known key is a dictionary look-up; only a
key not seen before is verified (scrypt, ~50 ms) in a worker thread, off the event loop.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Annotated, Any

from fastapi import Depends, Request

from sanctuary.service.core import Service
from sanctuary.service.identity import Authenticator, Identity
from sanctuary.service.ratelimit import RateLimiter


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def get_identity(request: Request) -> Identity:
    return await identify(request.app, request.headers.get("authorization"), request.scope)


async def identify(
    app: Any, authorization: str | None, scope: MutableMapping[str, Any]
) -> Identity:
    """The caller's identity from its bearer key, charged to its rate limit."""
    authenticator: Authenticator = app.state.authenticator
    identity = authenticator.known(authorization)
    if identity is None:
        identity = await authenticator.verify(authorization)
    limiter: RateLimiter = app.state.limiter
    limiter.take(identity.key_id)
    scope.setdefault("state", {})["key_id"] = identity.key_id  # for the access log
    return identity


ServiceDep = Annotated[Service, Depends(get_service)]
IdentityDep = Annotated[Identity, Depends(get_identity)]
