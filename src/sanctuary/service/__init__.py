"""The decision service: an HTTP policy decision point over the engine and the ledger."""

from sanctuary.service.app import create_app, open_service
from sanctuary.service.core import Service
from sanctuary.service.identity import ROLES, Identity, mint_key
from sanctuary.service.keys import add_key
from sanctuary.service.settings import Settings

__all__ = [
    "ROLES",
    "Identity",
    "Service",
    "Settings",
    "add_key",
    "create_app",
    "mint_key",
    "open_service",
]
