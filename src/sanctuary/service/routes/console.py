"""GET /: the landing page of the web console (the full console is a later piece of work)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["console"])

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sanctuary</title><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .2rem}</style></head><body>
<h1>Sanctuary</h1>
<p>This service decides whether the city may share information or lend resources, under the
sanctuary laws in force, and records every decision in a public, verifiable ledger.</p>
<ul>
<li><a href="/docs">API documentation</a> (OpenAPI: <a href="/openapi.json">/openapi.json</a>)</li>
<li>Ledger: <a href="/v1/ledger/checkpoint">latest signed checkpoint</a>,
<a href="/v1/ledger/key">verifier key</a></li>
<li><a href="/healthz">Health</a>, <a href="/metrics">metrics</a></li>
</ul>
<p>Decisions need an API key: <code>Authorization: Bearer sk_…</code>.</p>
</body></html>"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home() -> HTMLResponse:
    return HTMLResponse(PAGE)
