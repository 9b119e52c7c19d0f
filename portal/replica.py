"""Reads of the public pages from a read replica of the database, when there is one.

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database and install
`PrimaryReplicaRouter`. A GET or HEAD of a public read-only page (a view of the
public side of projects, of the open data API or of the catalog: `PUBLIC_READ_ONLY`) then reads the
projects and the catalog from the replica; everything else reads the primary:

- every other page, and every POST;
- accounts, sessions, the task queue (a replica that lags must never sign
  someone out or lose a queued email);
- everything after a write in the same request, and anything inside a
  transaction (it was opened to write).

A replica may lag the primary by a moment: the public pages may show a change that
much later, well within the seconds the public directory allows. Without the
variable there is no router and every query uses `default`.
"""

from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

REPLICA = "replica"
# The modules whose views are the public read-only pages.
PUBLIC_READ_ONLY = {
    "projects.public.views",
    "projects.public.algorithms",
    "projects.public.exports",
    "projects.api.views",
    "catalog.views",
    "catalog.dcat",
}
# The data those pages show. Other apps (accounts, sessions, tasks) stay on the primary.
REPLICATED_APPS = {"projects", "catalog"}

# While a request reads from the replica: how many transactions were open on the
# primary when its view started (none in production; the test's own in tests), so
# that one opened since reads the primary. None outside such a request, and from its
# first write on.
_replica_reads: ContextVar[int | None] = ContextVar("replica_reads", default=None)


def _open_transactions() -> int:
    return len(connections[DEFAULT_DB_ALIAS].atomic_blocks)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        outer = _replica_reads.get()
        if (
            outer is not None
            and model._meta.app_label in REPLICATED_APPS
            and _open_transactions() <= outer
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        # From here on the request reads what it wrote: the primary.
        _replica_reads.set(None)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db, app_label, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema


class ReplicaReadsMiddleware:
    """Marks a GET or HEAD of a public read-only page as reading from the replica, for
    the request and, for a streamed export, while its rows are sent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        token = _replica_reads.set(None)
        try:
            response = self.get_response(request)
            outer = _replica_reads.get()
        finally:
            _replica_reads.reset(token)
        if isinstance(response, StreamingHttpResponse) and outer is not None:
            response.streaming_content = _reading_from_replica(response.streaming_content, outer)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if request.method in ("GET", "HEAD") and is_public_read_only(view_func):
            _replica_reads.set(_open_transactions())


def is_public_read_only(view_func) -> bool:
    return getattr(view_func, "__module__", None) in PUBLIC_READ_ONLY


def _reading_from_replica(chunks, outer: int) -> Iterator:
    token = _replica_reads.set(outer)
    try:
        yield from chunks
    finally:
        _replica_reads.reset(token)
