"""Specific exception types, each with a message a user can act on."""
from __future__ import annotations

from typing import Iterable


class KGError(Exception):
    """Base class for every error this package raises on purpose."""

    exit_code = 1


class InputError(KGError):
    """An input path or record cannot be read as an article."""

    exit_code = 2

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class NoArticlesError(KGError):
    """Nothing readable was found in the inputs."""

    exit_code = 2


class GraphNotFoundError(KGError):
    """A command needs a built graph that is not there."""

    exit_code = 2

    def __init__(self, directory: str):
        self.directory = directory
        super().__init__(
            f"{directory}: no graph here (graph.json missing); run `kg build INPUT -o {directory}` first"
        )


class GoldFormatError(KGError):
    """A gold annotation file is malformed."""

    exit_code = 2


class QueryError(KGError):
    """A SPARQL or Cypher query failed: syntax, or a write in read-only mode."""

    exit_code = 2


class DerivedStoreError(QueryError):
    """A write aimed at a store `kg build` derives from graph.json (OUT/oxigraph, OUT/graph.lbug)."""

    def __init__(self, store: str, instead: str):
        self.store = store
        super().__init__(f"{store} is derived from graph.json and rewritten by `kg build`, so it takes no "
                         f"writes (an edit would disagree with `kg ask` and outlive an unchanged rebuild); "
                         f"to change a copy, {instead}")


class StoreError(KGError):
    """A database or endpoint could not be reached or refused a write."""

    exit_code = 3


class NameNotFoundError(KGError, LookupError):
    """A name a user typed matches no entity (kg.names); the message suggests the closest names."""

    exit_code = 1

    def __init__(self, name: str, what: str = "entity", closest: Iterable[str] = ()):
        self.name, self.what, self.closest = name, what, list(closest)
        hint = (f"; closest: {', '.join(self.closest)}" if self.closest
                else "; `kg ask entity` searches by part of a name")
        super().__init__(f"no {what} called {name!r}{hint}")


class AmbiguousNameError(KGError, LookupError):
    """A name matches several entities equally well; the message lists them with their ids."""

    exit_code = 1

    def __init__(self, name: str, matches: list):
        self.name, self.matches = name, matches
        shown = ", ".join(f"{e.name} ({e.id})" for e in matches[:6])
        more = f" and {len(matches) - 6} more" if len(matches) > 6 else ""
        super().__init__(f"{name!r} could mean {shown}{more}: give the full name or the id")


class OutputFolderError(KGError):
    """The output folder given to `kg build` is not one it may write (it holds other files)."""

    exit_code = 2


class FolderBusyError(StoreError):
    """Another build holds the output folder's lock (and the caller chose not to wait)."""
