"""health-kg: a knowledge graph of the Chinese health system.

>>> import kg
>>> graph = kg.build(["seeds/"])          # doctest: +SKIP
>>> graph.supports(county="阳山县")        # doctest: +SKIP
"""
from .graph import KnowledgeGraph
from .model import Document, Entity, Evidence, Mention, Quantity, Relation

__all__ = ["KnowledgeGraph", "Document", "Entity", "Evidence", "Mention", "Quantity",
           "Relation", "build", "load"]
__version__ = "0.1.0"


def build(paths, out=None, **kwargs) -> KnowledgeGraph:
    """Build a graph from article files, folders or globs; write it to ``out`` if given."""
    from .pipeline import build as _build
    return _build(paths, out=out, **kwargs).graph


def load(directory="kg-out") -> KnowledgeGraph:
    """Load a graph written by ``kg build``."""
    return KnowledgeGraph.load(directory)
