"""Specific exception types, each with a message a user can act on."""
from __future__ import annotations


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
