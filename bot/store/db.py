"""The one seam to the database: `Store`, put together from one class per table family.

Each family is a module of its own; find a query by the table it reads:

- connection.py: opening the file, migrations, transactions, errors, health checks
- requests.py: requests and their letters
- schedule.py: due dates, the poll schedule, send slots (columns of `requests`)
- correspondence.py: the events log, and the messages and replies read from WDTK
- bodies.py: bodies and campaigns
- followups.py: follow-ups
- news.py: news and its deliveries (the outbox)
- figures.py: what a results CSV may record against, and search over the replies
- attachments.py: the replies' attachments and what was read from them
- settings.py: installation settings, and the mailbox's cursors and handled e-mails
- users.py: the accounts of `foibot serve`

Callers import from here (`from bot.store.db import Store`), never a family module: one
class with every method, so code reads `store.request(ref)` whichever module holds it.
"""

from __future__ import annotations

from bot.store.attachments import Attachments
from bot.store.bodies import Bodies
from bot.store.connection import BUSY_TIMEOUT_S, StoreError, explain_sqlite_error, utcnow
from bot.store.correspondence import Correspondence
from bot.store.figures import Figures
from bot.store.followups import Followups
from bot.store.news import News
from bot.store.requests import Requests, RequestSet
from bot.store.schedule import Schedule
from bot.store.settings import Settings
from bot.store.users import Users

__all__ = [
    "BUSY_TIMEOUT_S",
    "RequestSet",
    "Store",
    "StoreError",
    "explain_sqlite_error",
    "utcnow",
]


class Store(
    Requests,
    Schedule,
    Correspondence,
    Bodies,
    Followups,
    News,
    Figures,
    Attachments,
    Settings,
    Users,
):
    """The database. Every command opens one, which applies pending migrations."""
