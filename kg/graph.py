"""The merged knowledge graph: entities and relations from many articles, keyed by id.

The per-article stage is a pure function (document → ``ArticleResult``); building
the graph is a reduction keyed by entity id and relation key (:meth:`KnowledgeGraph.add`).
"""
from __future__ import annotations

import itertools
import json
import os
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import GraphNotFoundError
from .model import ArticleResult, Entity, Evidence, Relation

GRAPH_FILE = "graph.json"
_intern = sys.intern


class KnowledgeGraph:
    """Entities and relations with evidence; the object every query and export reads.

    >>> g = KnowledgeGraph()
    >>> g.add_entity(Entity("Province/440000", "Province", "广东省"))
    >>> g.stats()["nodes"]["Province"]
    1
    """

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.relations: dict[tuple[str, str, str], Relation] = {}
        self.documents: dict[str, dict] = {}
        self.merges: list[dict[str, str]] = []
        self._name_index: dict[str, list[str]] | None = None

    # -- building -----------------------------------------------------------------
    def add_entity(self, entity: Entity) -> Entity:
        have = self.entities.get(entity.id)
        if have is None:
            self.entities[entity.id] = entity
            self._name_index = None
            return entity
        have.merge(entity)
        return have

    def add_relation(self, relation: Relation) -> Relation:
        have = self.relations.get(relation.key)
        if have is None:
            self.relations[relation.key] = relation
            return relation
        have.merge(relation)
        return have

    def add(self, result: ArticleResult) -> None:
        """Reduce one article's result into the graph.

        Strings repeated across articles (document ids, paths, dates, rule names, entity ids)
        and sentences repeated within one are kept once: results come back from worker
        processes and the cache as separate copies.
        """
        d = result.doc
        doc_id = _intern(d.id)
        self.documents[doc_id] = {
            "id": doc_id, "path": d.path, "title": d.title, "published": d.published,
            "source": d.source, "author": d.author, "url": d.url, "spun": d.spun,
        }
        for e in result.entities:
            e.mentions = {_intern(k): v for k, v in e.mentions.items()}
            self.add_entity(e)
        sentences: dict[str, str] = {}
        for r in result.relations:
            r.source, r.target = _intern(r.source), _intern(r.target)
            for ev in r.evidence:
                ev.doc, ev.rule = _intern(ev.doc), _intern(ev.rule)
                if ev.path is not None:
                    ev.path = _intern(ev.path)
                if ev.published is not None:
                    ev.published = _intern(ev.published)
                ev.sentence = sentences.setdefault(ev.sentence, ev.sentence)
            self.add_relation(r)
        self.merges.extend({k: _intern(v) if type(v) is str else v for k, v in m.items()}
                           for m in result.merges)

    def compact(self) -> None:
        """Drop what only the reduce needs (each relation's set of evidence keys, rebuilt by the
        next merge if there is one): a tenth of a big graph's memory."""
        for r in self.relations.values():
            r.__dict__.pop("_seen", None)

    def remove_documents(self, doc_ids: Iterable[str]) -> None:
        """Take away what only these documents supported (for incremental rebuilds)."""
        gone = set(doc_ids)
        for d in gone:
            self.documents.pop(d, None)
        for key in list(self.relations):
            r = self.relations[key]
            r.evidence = [e for e in r.evidence if e.doc not in gone]
            if not r.evidence:
                del self.relations[key]
        for eid in list(self.entities):
            e = self.entities[eid]
            for d in gone:
                e.mentions.pop(d, None)
            if not e.mentions:
                del self.entities[eid]
        self.merges = [m for m in self.merges if m.get("doc") not in gone]
        self._name_index = None

    # -- lookup -------------------------------------------------------------------
    def by_name(self, name: str) -> list[Entity]:
        """Entities whose name or alias is exactly ``name``."""
        if self._name_index is None:
            idx: dict[str, list[str]] = {}
            for e in self.entities.values():
                for n in {e.name, *e.aliases}:
                    idx.setdefault(n, []).append(e.id)
            self._name_index = idx
        return [self.entities[i] for i in self._name_index.get(name, [])]

    # -- queries (thin delegates to kg.query) ---------------------------------------
    def supports(self, county: str | None = None, province: str | None = None,
                 supporter: str | None = None, level: str | None = None,
                 with_partnerships: bool = False):
        """Supporter → recipient rows (SUPPORTS, MANAGES rolled up to the county; see
        :func:`kg.query.supports`)."""
        from .query import supports
        return supports(self, county=county, province=province, supporter=supporter, level=level,
                        with_partnerships=with_partnerships)

    def partners(self, name: str):
        """One entity's partnerships in both directions (see :func:`kg.query.partners`)."""
        from .query import partners
        return partners(self, name)

    def partnerships(self, kind: str | None = None, region: str | None = None):
        """Partnership edges of a kind touching a region at any level."""
        from .query import partnerships
        return partnerships(self, kind=kind, region=region)

    def flows(self, level: str = "province", internal: bool = True):
        """Support edges counted between regions at one level (a flow map's data)."""
        from .query import flows
        return flows(self, level=level, internal=internal)

    def programs(self, region: str | None = None):
        """Named programmes, who runs them and where."""
        from .query import programs
        return programs(self, region=region)

    def policies(self, issuer: str | None = None):
        """Named policy documents and their issuers."""
        from .query import policies
        return policies(self, issuer=issuer)

    def entity(self, name: str, limit: int = 10):
        """Fuzzy lookup by name or alias; several rows mean the name is ambiguous."""
        from .query import entity
        return entity(self, name, limit=limit)

    def path(self, a: str, b: str, kinds=None):
        """Shortest chain of relations linking two entities (graph taken as undirected)."""
        from .query import path
        return path(self, a, b, kinds=kinds)

    def evidence(self, a: str, b: str, relation: str | None = None):
        """The sentences behind every edge between two entities (of one relation kind)."""
        from .query import evidence
        return evidence(self, a, b, relation=relation)

    def stats(self) -> dict:
        """Counts of nodes by type and edges by type."""
        return {
            "documents": len(self.documents),
            "nodes": dict(sorted(Counter(e.type for e in self.entities.values()).items())),
            "edges": dict(sorted(Counter(r.type for r in self.relations.values()).items())),
            "evidence": sum(len(r.evidence) for r in self.relations.values()),
        }

    def to_networkx(self):
        """A ``networkx.MultiDiGraph`` with every attribute (evidence as a count and a list)."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for e in self.entities.values():
            g.add_node(e.id, type=e.type, name=e.name, aliases=sorted(e.aliases), **e.attrs)
        for r in self.relations.values():
            g.add_edge(r.source, r.target, key=r.type, type=r.type, **r.attrs,
                       evidence=[evidence_json(x) for x in r.evidence], confidence=r.confidence)
        return g

    # -- files --------------------------------------------------------------------
    def to_json(self) -> dict:
        """Node-link JSON: nodes with id/type/name/aliases/attributes, links with evidence."""
        return {"directed": True, "multigraph": True, "graph": {
            "documents": [self.documents[k] for k in sorted(self.documents)],
            "merges": self.merges},
            "nodes": [node_json(self.entities[k]) for k in sorted(self.entities)],
            "links": [link_json(self.relations[k]) for k in sorted(self.relations)]}

    def write_json(self, fh: IO[str], reuse: "Reuse | None" = None) -> None:
        """Write :meth:`to_json`'s value to ``fh`` item by item, one per line (never whole in memory).

        The lines are :data:`JSON_LINES`' section heads and one document, merge, node or link
        each, so :meth:`load` reads the file back a line at a time too. With ``reuse`` the
        lines of documents, merges, nodes and links it does not name as changed are copied from
        an earlier graph.json instead of encoded again (the same bytes; 1.7 s against 2.8 s at 10k);
        ValueError when that file is not laid out as this method writes it.
        """
        enc = _ENCODE
        sections = ((sorted(self.documents), self.documents.__getitem__), (self.merges, None),
                    (sorted(self.entities), lambda k: node_json(self.entities[k])),
                    (sorted(self.relations), lambda k: link_json(self.relations[k])))
        old = _Sections(reuse) if reuse is not None else None
        try:
            for i, (keys, item) in enumerate(sections):
                fh.write(JSON_LINES[i])
                if old is not None:
                    lines = old.spliced(i, keys, item)
                else:
                    lines = map(enc, keys) if item is None else (enc(item(k)) for k in keys)
                sep = ""
                for chunk in iter(lambda: list(itertools.islice(lines, 4096)), []):
                    fh.write(sep)  # a few thousand lines a call: one write per line cost 2 s at 10k
                    fh.write(",\n".join(chunk))
                    sep = ",\n"
                if sep:
                    fh.write("\n")
            fh.write(JSON_LINES[-1])
        finally:
            if old is not None:
                old.fh.close()

    @classmethod
    def from_json(cls, data: dict) -> "KnowledgeGraph":
        g = cls()
        for n in data.get("nodes", []):
            g._load_node(n)
        for link in data.get("links", []):
            g._load_link(link)
        meta = data.get("graph", {})
        g.documents = {d["id"]: d for d in meta.get("documents", [])}
        g.merges = meta.get("merges", [])
        return g

    def _load_node(self, n: dict) -> None:
        n = dict(n)
        e = Entity(id=n.pop("id"), type=n.pop("type"), name=n.pop("name"),
                   aliases=set(n.pop("aliases", [])), mentions=n.pop("mentions", {}))
        e.attrs = n
        self.entities[e.id] = e

    def _load_link(self, link: dict) -> None:
        link = dict(link)
        ev = [Evidence(**x) for x in link.pop("evidence", [])]
        link.pop("confidence", None)
        r = Relation(source=link.pop("source"), type=link.pop("type"),
                     target=link.pop("target"), attrs=link, evidence=ev)
        self.relations[r.key] = r

    def save(self, directory: str | os.PathLike, reuse: "Reuse | None" = None) -> Path:
        """Write ``graph.json`` atomically (temp file + rename), streamed, and return its path.

        ``reuse`` (an earlier graph.json and what changed since) copies unchanged lines from
        it; ValueError (and no file written) when that file turns out not to fit this graph.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        path = out / GRAPH_FILE
        with atomic_file(path, "w") as fh:
            self.write_json(fh, reuse)
        return path

    @classmethod
    def load(cls, directory: str | os.PathLike) -> "KnowledgeGraph":
        """Read ``graph.json`` from a folder `kg build` wrote (its current generation).

        The file `kg build` writes is read a line at a time; any other node-link JSON whole.
        """
        from .outfolder import resolve

        path = resolve(directory) / GRAPH_FILE
        if not path.is_file():
            raise GraphNotFoundError(str(directory))
        with open(path, encoding="utf-8") as fh:
            if fh.readline() != JSON_LINES[0]:
                fh.seek(0)
                return cls.from_json(json.load(fh))
            return cls._read_lines(fh)

    @classmethod
    def _read_lines(cls, fh: IO[str]) -> "KnowledgeGraph":
        g = cls()
        docs: list[dict] = []
        sinks = iter((docs.append, g.merges.append, g._load_node, g._load_link))
        heads = iter(JSON_LINES[1:])
        add, head = next(sinks), next(heads)
        loads = json.loads
        for line in fh:
            if line == head:
                add, head = next(sinks, None), next(heads, None)
                continue
            add(loads(line[:-2] if line.endswith(",\n") else line))
        if head is not None:
            raise ValueError(f"{fh.name}: cut short (no {head.strip()!r} line)")
        g.documents = {d["id"]: d for d in docs}
        return g


#: The section heads of the graph.json `kg build` writes, each on its own line; the items of
#: each section follow one per line. The value is :meth:`KnowledgeGraph.to_json`'s.
JSON_LINES = ('{"directed":true,"multigraph":true,"graph":{"documents":[\n',
              '],"merges":[\n', ']},"nodes":[\n', '],"links":[\n', ']}\n')
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_scan = json.decoder.scanstring
_quote = json.encoder.encode_basestring  # _ENCODE's output for a str (ensure_ascii=False)
_EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))
_evidence_values = attrgetter(*_EVIDENCE_FIELDS)


@dataclass(frozen=True)
class Reuse:
    """An earlier graph.json (``path``) and the keys whose lines must be encoded afresh:
    document ids, entity ids and relation keys ``(source, type, target)`` that changed since
    it was written (kg.outputs.Delta). Every other line of it is copied as it is."""

    path: Path
    documents: set[str]
    entities: set[str]
    relations: set[tuple[str, str, str]]


class _Sections:
    """An earlier graph.json read a section at a time, its lines spliced into a new one."""

    def __init__(self, reuse: Reuse):
        self.fh = open(reuse.path, encoding="utf-8")
        if self.fh.readline() != JSON_LINES[0]:
            raise ValueError(f"{reuse.path}: not a graph.json `kg build` wrote")
        self.at = 0  # the section the next line belongs to
        self.changed = (reuse.documents, reuse.documents, reuse.entities, reuse.relations)

    def _lines(self, section: int) -> Iterator[str]:
        """The items of ``section`` (an index into :data:`JSON_LINES`), each without its separator."""
        while self.at < section:  # skip what is left of the sections before
            head = JSON_LINES[self.at + 1]
            if not any(line == head for line in self.fh):
                raise ValueError(f"{self.fh.name}: cut short (no {head.strip()!r} line)")
            self.at += 1
        head = JSON_LINES[section + 1]
        for line in self.fh:
            if line == head:
                self.at += 1
                return
            yield line[:-2] if line.endswith(",\n") else line[:-1]
        raise ValueError(f"{self.fh.name}: cut short (no {head.strip()!r} line)")

    @staticmethod
    def _key(section: int, text: str):
        """The key of an item's line: a document's or node's id, a merge's document, a link's
        ``(source, type, target)`` (the fields :func:`node_json` and :func:`link_json` put
        first); None when it has none."""
        if section == 1:
            at = text.find(',"doc":"')
            return _scan(text, at + 8)[0] if at > 0 else None
        pos, values = 1, []
        for name in ("source", "target", "type") if section == 3 else ("id",):
            lead = f'"{name}":"'
            if not text.startswith(lead, pos):
                return None
            value, pos = _scan(text, pos + len(lead))
            values.append(value)
            pos += 1  # the comma after it
        return (values[0], values[2], values[1]) if section == 3 else values[0]

    def spliced(self, section: int, keys, item) -> Iterator[str]:
        """The lines of one section of the new file: for each key (for merges, each merge) its
        old line when it did not change, else ``item(key)`` encoded. The old lines run in the
        same order, with those of changed and gone items among them; ValueError when they
        are not (a file of another graph or layout)."""
        enc, changed, have = _ENCODE, self.changed[section], self._lines(section)
        q = _quote  # what enc gives for a string, without its dispatch
        for k in keys:
            if section == 1:  # merges: in reduce order, each naming its document
                d = k.get("doc")
                if d in changed or d is None:
                    yield enc(k)
                    continue
                field = f',"doc":{q(d)}'  # a value cannot hold it: its quotes would be escaped
                found = (lambda text: field + "," in text or text.endswith(field + "}"))
            else:
                if k in changed:
                    yield enc(item(k))
                    continue
                want = (f'{{"source":{q(k[0])},"target":{q(k[2])},"type":{q(k[1])},' if section == 3
                        else f'{{"id":{q(k)},')
                found = (lambda text: text.startswith(want))
            for text in have:
                if found(text):
                    yield text
                    break
                if self._key(section, text) not in changed:  # only changed and gone items drop out
                    raise ValueError(f"{self.fh.name}: out of step with the graph at {text[:60]!r}")
            else:
                raise ValueError(f"{self.fh.name}: no line for {k!r}")


def evidence_json(x: Evidence) -> dict:
    """One piece of evidence as graph.json holds it (``dataclasses.asdict``, faster)."""
    return dict(zip(_EVIDENCE_FIELDS, _evidence_values(x)))


def node_json(e: Entity) -> dict:
    """An entity as a node of graph.json."""
    return {"id": e.id, "type": e.type, "name": e.name, "aliases": sorted(e.aliases), **e.attrs,
            "mentions": dict(sorted(e.mentions.items()))}


def link_json(r: Relation) -> dict:
    """A relation as a link of graph.json, with its evidence."""
    return {"source": r.source, "target": r.target, "type": r.type, **r.attrs,
            "confidence": r.confidence, "evidence": [evidence_json(x) for x in r.evidence]}


@contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """A file object whose content replaces ``path`` only once the block ends without error
    (temporary file in the same folder, fsync, rename), so readers see old or new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomic(path: str | os.PathLike, text: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of one."""
    with atomic_file(path) as fh:
        fh.write(text.encode("utf-8") if isinstance(text, str) else text)
