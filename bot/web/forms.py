"""What every page that changes something does with its POST: read the form (bounded by
the Guard), run the change in a worker thread with who is making it, and answer with a
redirect back (303, so a reload does not post again) or the page again with the refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.web.app import user_of


async def form_of(request: Request) -> FormData:
    return await request.form()


def field(form: FormData, name: str, limit: int = 200_000) -> str:
    """A text field of the form, "" when missing; a file field is not text."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def who(request: Request) -> str:
    """The name kept with a change: the account, or "local" with no accounts (the person
    at this computer, as the command line is)."""
    return user_of(request)[0] or "local"


async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await run_in_threadpool(fn, *args, **kwargs)


def back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
