"""FastAPI dependencies: the service, and the caller's identity (never self-declared)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from sanctuary.service.core import Service
from sanctuary.service.identity import Authenticator, Identity
from sanctuary.service.ratelimit import RateLimiter


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def get_identity(
    request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Identity:
    authenticator: Authenticator = request.app.state.authenticator
    identity = authenticator.identify(authorization)
    limiter: RateLimiter = request.app.state.limiter
    limiter.take(identity.key_id)
    request.scope.setdefault("state", {})["key_id"] = identity.key_id  # for the access log
    return identity


ServiceDep = Annotated[Service, Depends(get_service)]
IdentityDep = Annotated[Identity, Depends(get_identity)]
