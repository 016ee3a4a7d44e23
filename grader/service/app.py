"""The ASGI app: :func:`create_app` wires the database, the course's catalog, the grading
dispatcher (started and stopped with the app's lifespan), the API and the pages."""
from __future__ import annotations

import contextlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from grader.keys.catalog import Catalog
from grader.service import api, lti, pages
from grader.service.actions import Service
from grader.service.db import open_database
from grader.service.dispatcher import Dispatcher
from grader.service.lti_config import read_lti_config
from grader.service.mathml import escaped
from grader.service.settings import ServiceSettings

KEEP_ALIVE_SECONDS = 75

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def _error(request: Request, exc: HTTPException):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    return HTMLResponse(f"<!doctype html><title>{exc.status_code}</title><p>{escaped(str(exc.detail))}</p>"
                        '<p><a href="/">Home</a></p>', status_code=exc.status_code)


def create_app(settings: ServiceSettings, *, grade: bool = True) -> Starlette:
    """The service for ``settings``; ``grade=False`` accepts submissions without grading them
    (a replica that only serves pages, or a test that grades by hand)."""
    lti_config = read_lti_config(settings.course)  # a bad lti.yaml stops the start (ConfigError)
    engine = open_database(settings.url)
    catalog = Catalog(root=settings.course, salt=settings.salt, unsalted=settings.unsalted)
    dispatcher = Dispatcher(engine, settings) if grade else None
    service = Service(engine, settings, catalog, dispatcher.wake if dispatcher else None)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if dispatcher:
            dispatcher.start()
        try:
            yield
        finally:
            if dispatcher:
                dispatcher.stop()

    app = Starlette(routes=api.routes + pages.routes + lti.routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _error}, middleware=[Middleware(SecurityHeaders)])
    app.state.service = service
    app.state.dispatcher = dispatcher
    app.state.lti = lti.Lti(lti_config)
    return app


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response (a plain ASGI middleware)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                         if k.lower().encode() not in present]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def run_server(app: Starlette, *, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn until interrupted."""
    import uvicorn

    # Idle connections are kept 75 s (uvicorn's default is 5 s): a client reusing a connection the
    # server closes at that moment sees a read error, which a submission must not; load balancers
    # keep theirs 60 s, so they close first.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=KEEP_ALIVE_SECONDS)
