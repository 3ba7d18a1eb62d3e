"""The ``kg`` command: a thin layer over the Python API (kg.pipeline, kg.query, kg.evaluate …).

Exit codes: 0 ok; 1 partial (some inputs failed, the rest was built); 2 bad input
or usage; 3 a store or server failed; 4 an internal error (a bug); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from .errors import KGError, NoArticlesError
from .model import PARTNERSHIP_TYPES, RELATION_TYPES

EXIT_PARTIAL = 1
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 4
FORMATS = click.Choice(["table", "csv", "json"])
graph_dir_option = click.option("-g", "--graph", "graph_dir", default="kg-out", show_default=True,
                                 type=click.Path(file_okay=False),
                                 help="Folder written by `kg build`.")
format_option = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)


def server_options(retries: int):
    """--retries, --timeout and --connect-timeout for a command that talks to a server (kg.remote)."""
    from .remote import CONNECT_TIMEOUT, MAX_BACKOFF, TIMEOUT

    seconds = click.FloatRange(min=0, min_open=True)

    def add(f):
        f = click.option("--connect-timeout", type=seconds, default=CONNECT_TIMEOUT, show_default=True,
                         metavar="SECONDS", help="Wait at most this long for the server to accept a "
                         "connection.")(f)
        f = click.option("--timeout", type=seconds, default=TIMEOUT, show_default=True, metavar="SECONDS",
                         help="Give up on a request (a query, a batch) that has not succeeded within "
                              "this long, retries and pauses included.")(f)
        return click.option("--retries", default=retries, show_default=True, type=click.IntRange(0, 20),
                            help=f"Retries per request on connection errors, timeouts and transient server "
                                 f"errors (pauses of 0.5 s, doubling, at most {MAX_BACKOFF:g} s).")(f)

    return add


def _load(graph_dir: str):
    from .graph import KnowledgeGraph

    return KnowledgeGraph.load(graph_dir)


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: object) -> str:
    """``text`` with control characters and line separators escaped (``\\n``, ``\\x1b`` …): a
    file named with a newline must not forge extra ``kg: error:`` lines."""
    return _CONTROLS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


def error(text: object) -> None:
    click.echo(f"kg: error: {one_line(text)}", err=True)


#: Longest name a command looks up; no entity's name comes near it, and a 1 MB one took 15-28 s.
MAX_NAME = 500


def _name(ctx, param, value: str) -> str:
    """A name argument: not blank (it would match every entity), at most MAX_NAME characters."""
    if not value.strip():
        raise click.BadParameter("a name cannot be empty", ctx=ctx, param=param)
    if len(value) > MAX_NAME:
        raise click.BadParameter(f"a name is at most {MAX_NAME} characters (this one has {len(value):,})",
                                 ctx=ctx, param=param)
    return value


class KGGroup(click.Group):
    """Turns the package's own errors into one clear line and a documented exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            error(exc)
            ctx.exit(exc.exit_code)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `kg … | head`: the reader went away; not an error
            sys.stdout = open(os.devnull, "w")
            ctx.exit(0)
        except Exception as exc:  # a bug, not bad input: say so, with its own exit code
            click.echo(f"kg: internal error: {type(exc).__name__}: {one_line(exc)} (please report it; "
                       f"run with KG_DEBUG=1 for the traceback)", err=True)
            if os.environ.get("KG_DEBUG"):
                raise
            ctx.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:  # Ctrl-C / SIGINT: one line and 130 (128 + SIGINT), never a traceback
            click.echo("kg: interrupted; output files are only ever replaced whole, so the previous "
                       "ones are intact: run the command again to finish", err=True)
            ctx.exit(EXIT_INTERRUPTED)


@click.group(cls=KGGroup)
@click.version_option(package_name="health-kg")
def main():
    """Build and query a knowledge graph of the Chinese health system."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", default="kg-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for graph.json, report.json and the stores: new, empty, or written by kg build.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for the per-article stage.")
@click.option("--no-cache", is_flag=True,
              help="Analyse every article again; neither read nor write OUT/cache/ (docs/scale.md).")
@click.option("--formats", default="", metavar="ttl,nt,jsonld",
              help="Also write these RDF files (graph.ttl, graph.nt, graph.jsonld) from the store.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="When another build is writing OUT: wait for it, or stop with exit code 3.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build(inputs, out, jobs, no_cache, formats, wait, quiet):
    """Read articles (files, folders, globs, - for stdin) and write the graph into OUT.

    OUT gets graph.json, report.json, the SPARQL store (oxigraph/) and the Cypher database
    (graph.lbug), and the RDF files --formats names. OUT must be new, empty or written by
    kg build. Exit code 1 means partial: some inputs failed (listed, and in report.json)
    and everything else was built.
    """
    from .outputs import formats_of
    from .pipeline import build as run, summary_line

    try:
        formats = formats_of(formats.split(","))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--formats") from None
    res = run(inputs, out=out, jobs=jobs, progress=not quiet, cache=not no_cache, formats=formats,
              wait=wait, notify=lambda line: click.echo(one_line(line), err=True))
    for f in res.failures:
        error(f)
    if not res.documents:
        raise NoArticlesError("no article could be read from the inputs")
    if not quiet:
        click.echo(summary_line(res) + f" → {out}/")
    if res.failures:
        sys.exit(EXIT_PARTIAL)


@main.group()
def ask():
    """Ask the graph a question (the same functions as the Python helpers)."""


def view_options(f):
    """--wide and --columns, shared by every `kg ask` command."""
    f = click.option("--columns", metavar="A,B,…",
                     help="Show these columns, in this order (any of those --wide shows).")(f)
    return click.option("--wide", is_flag=True,
                        help="Show every column: ids, codes and counts too.")(f)


def _echo_rows(rows, fmt, wide=False, columns=None, empty: str | None = None):
    """Print rows in the chosen view; with none, say why on stderr and exit 1 (found nothing)."""
    if not rows and empty:
        click.echo(f"kg: {empty}", err=True)
        sys.exit(1)
    if columns:
        rows = rows.select(columns.split(","))
    elif wide:
        rows = rows.wide()
    click.echo(rows.render(fmt))


LEVEL = click.Choice(["county", "city", "province"])


@ask.command("supports")
@click.option("--county", help="Only recipients that are or lie in this region (饶平县, 饶平, 445122).")
@click.option("--province", help="Only recipients in this province (广东省, 广东, 440000).")
@click.option("--supporter", help="Only this supporter, or supporters standing in this region.")
@click.option("--level", type=LEVEL, help="Only recipients of this level.")
@click.option("--with-partnerships", is_flag=True,
              help="Add bare partnerships (PARTNERS_WITH of an outside hospital with a county or its "
                   "institutions); their relation says PARTNERS_WITH: they are not support.")
@graph_dir_option
@format_option
@view_options
def ask_supports(county, province, supporter, level, with_partnerships, graph_dir, fmt, wide,
                 columns):
    """Who supports or manages which county (or city, or province).

    One row per (supporter, recipient) from SUPPORTS and MANAGES edges; the supported
    hospital or town rolls up to the county it stands in. Columns:

    \b
      province   the recipient's province (rows are ordered by it, the recipient, the supporter)
      recipient  the county (a city or province when nothing finer is known); level says which
      relation   MANAGES (托管), SUPPORTS (帮扶, 支援 …), PARTNERS_WITH with --with-partnerships
      since      the earliest start date an article gives; as_of: the latest article date
      experts    the largest number of experts any article states (figures are not added up)
      money      the largest sum in CNY any article states
      sources    every article behind the row: date and title
    \b
    --wide adds supporter_type, recipient_code, edges, evidence (sentences), documents (ids)
    and the ids. Names follow one rule everywhere: name, alias, code, short name (阳山, 广东),
    Traditional; a name that matches nothing exits 1 with the closest names.
    """
    rows = _load(graph_dir).supports(county=county, province=province, supporter=supporter,
                                     level=level, with_partnerships=with_partnerships)
    _echo_rows(rows, fmt, wide, columns)
    if with_partnerships and fmt == "table" and any("PARTNERS_WITH" in r.relation for r in rows):
        click.echo("kg: rows whose relation is only PARTNERS_WITH are partnerships, not support",
                   err=True)


@ask.command("partners")
@click.argument("name", callback=_name)
@graph_dir_option
@format_option
@view_options
def ask_partners(name, graph_dir, fmt, wide, columns):
    """One entity's partnerships in both directions, dated, with their sources."""
    _echo_rows(_load(graph_dir).partners(name), fmt, wide, columns)


@ask.command("partnerships")
@click.option("--kind", type=click.Choice(PARTNERSHIP_TYPES, case_sensitive=False),
              help="Only edges of this kind.")
@click.option("--region", help="Only edges with an end in this region (any level: 广东省 includes its counties).")
@graph_dir_option
@format_option
@view_options
def ask_partnerships(kind, region, graph_dir, fmt, wide, columns):
    """Partnership edges of a kind within a region."""
    _echo_rows(_load(graph_dir).partnerships(kind=kind, region=region), fmt, wide, columns)


@ask.command("flows")
@click.option("--level", type=LEVEL, default="province", show_default=True,
              help="The regions support is counted between.")
@click.option("--no-internal", is_flag=True, help="Leave out support inside one region.")
@graph_dir_option
@format_option
@view_options
def ask_flows(level, no_internal, graph_dir, fmt, wide, columns):
    """Support (SUPPORTS, MANAGES) counted between regions: a flow map's data.

    Each end of an edge rolls up to the region of LEVEL it stands in; a hospital placed
    only in its province stands in the province's seat city (广东省第二人民医院 → 广州市).
    Where nothing is known at LEVEL, an end stays at the coarser region. Columns:

    \b
      source_level, target_level   the level each region really is (coarser when unknown)
      count        support edges from source_region to target_region
      supporters   distinct supporters behind them; recipients: distinct supported entities
      evidence     sentences behind the edges: one edge read in three articles counts 3
    \b
    --wide adds internal (both ends in one region), kinds, pairs (supporter→supported),
    the codes, coordinates and ids.
    """
    _echo_rows(_load(graph_dir).flows(level=level, internal=not no_internal), fmt, wide, columns)


@ask.command("programs")
@click.option("--region", help="Only programmes run in this region.")
@graph_dir_option
@format_option
@view_options
def ask_programs(region, graph_dir, fmt, wide, columns):
    """Named programmes, who runs them and where."""
    _echo_rows(_load(graph_dir).programs(region=region), fmt, wide, columns)


@ask.command("policies")
@click.option("--issuer", help="Only policies this entity issued, or issuers in this region issued.")
@graph_dir_option
@format_option
@view_options
def ask_policies(issuer, graph_dir, fmt, wide, columns):
    """Named policy documents and who issued them."""
    _echo_rows(_load(graph_dir).policies(issuer=issuer), fmt, wide, columns)


@ask.command("entity")
@click.argument("name", callback=_name)
@click.option("-n", "--limit", default=10, show_default=True, help="At most this many candidates.")
@graph_dir_option
@format_option
@view_options
def ask_entity(name, limit, graph_dir, fmt, wide, columns):
    """Find an entity by name or part of one, forgivingly; lists candidates with a score."""
    rows = _load(graph_dir).entity(name, limit=limit)
    _echo_rows(rows, fmt, wide, columns, empty=f"no entity like {name!r}")
    if len(rows) > 1 and fmt == "table":
        click.echo(f"kg: {len(rows)} candidates for {name!r}; use the id to be exact", err=True)


@ask.command("path")
@click.argument("source", callback=_name)
@click.argument("target", callback=_name)
@click.option("--kinds", help="Comma-separated relation kinds to walk (default: all).")
@graph_dir_option
@format_option
@view_options
def ask_path(source, target, kinds, graph_dir, fmt, wide, columns):
    """How two entities connect: the shortest chain of relations, hop by hop."""
    ks = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
    _echo_rows(_load(graph_dir).path(source, target, kinds=ks), fmt, wide, columns,
               empty=f"no path between {source!r} and {target!r}")


@ask.command("evidence")
@click.argument("source", callback=_name)
@click.argument("target", callback=_name)
@click.option("--relation", type=click.Choice(RELATION_TYPES, case_sensitive=False),
              help="Only edges of this kind.")
@graph_dir_option
@format_option
@view_options
def ask_evidence(source, target, relation, graph_dir, fmt, wide, columns):
    """The sentences behind the edges between two entities (as `kg explain`, in rows)."""
    _echo_rows(_load(graph_dir).evidence(source, target, relation=relation), fmt, wide, columns,
               empty=f"no edge between {source!r} and {target!r}")


@main.command()
@graph_dir_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def stats(graph_dir, fmt):
    """Counts of nodes and edges by type."""
    st = _load(graph_dir).stats()
    if fmt == "json":
        click.echo(json.dumps(st, ensure_ascii=False, indent=1))
        return
    click.echo(f"documents  {st['documents']}")
    click.echo(f"evidence   {st['evidence']}")
    for part in ("nodes", "edges"):
        click.echo(f"{part}:")
        for k, v in st[part].items():
            click.echo(f"  {k:<14}{v}")


@main.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False))
@graph_dir_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("-v", "--verbose", is_flag=True,
              help="List misses and false positives; partnership ones grouped by cause (the articles "
                   "are read again from their paths to see their candidates).")
def eval_cmd(gold, graph_dir, fmt, verbose):
    """Precision, recall and F1 of the graph against gold annotations (JSONL).

    With -v, each missed or wrongly kept partnership says why: no mention, wrong name,
    no candidate, scored below threshold, wrong direction, blocked, or scored above
    threshold (with the features that weighed most).
    """
    from .evaluate import evaluate, read_gold

    graph = _load(graph_dir)
    scores = evaluate(graph, read_gold(gold), _relinker(graph) if verbose else None)
    if fmt == "json":
        click.echo(json.dumps({k: s.as_dict(verbose) for k, s in scores.items()},
                              ensure_ascii=False, indent=1))
        return
    click.echo(f"{'':<28}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>6}{'fp':>6}{'fn':>6}")
    for k, s in scores.items():
        click.echo(f"{k:<28}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}"
                   f"{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    if verbose:
        for k in ("entities", "relations", "supports_county"):
            s = scores[k]
            for label, items in (("MISS", s.misses), ("FP  ", s.false_positives)):
                by_cause: dict[str, list[str]] = {}
                for m in items:
                    cause = s.causes.get(m, "")
                    by_cause.setdefault(cause.split(" (")[0], []).append(
                        f"{m}" + (f"  [{cause}]" if "(" in cause else ""))
                for cause in sorted(by_cause, key=lambda c: (-len(by_cause[c]), c)):
                    if cause:
                        click.echo(f"{label} {k} — {cause} ({len(by_cause[cause])}):")
                    for m in by_cause[cause]:
                        click.echo(f"{label} {k}: {m}")


def _relinker(graph):
    """doc id -> the article cleaned, extracted and linked again from its path (None if unreadable)."""
    from loaders.read import read_path

    from .pipeline import linked

    def of(doc_id: str):
        meta = graph.documents.get(doc_id)
        if not meta or not meta.get("path"):
            return None
        try:
            docs = [d for d in read_path(Path(meta["path"])) if not hasattr(d, "reason")]
        except Exception:  # the file moved or changed since the build: no causes for it
            return None
        doc = next((d for d in docs if d.id == doc_id), docs[0] if len(docs) == 1 else None)
        return linked(doc) if doc is not None else None
    return of


@main.command()
@graph_dir_option
@click.option("--type", "etype", help="Only entities of this type (Hospital, County, …).")
@click.option("--merges", is_flag=True, help="Show which surface forms became which node, and why; "
              "those left unresolved (no id) say why not.")
@format_option
def entities(graph_dir, etype, merges, fmt):
    """List entities with ids, codes, aliases and mention counts."""
    from .query import entity_rows, merge_rows

    g = _load(graph_dir)
    rows = merge_rows(g) if merges else entity_rows(g, etype)
    click.echo(rows.render(fmt))


@main.command()
@click.argument("source", callback=_name)
@click.argument("target", callback=_name)
@graph_dir_option
@format_option
def explain(source, target, graph_dir, fmt):
    """Every piece of evidence for the edges between SOURCE and TARGET (either direction)."""
    from .query import evidence

    rows = evidence(_load(graph_dir), source, target)
    if not rows:
        click.echo(f"kg: no edge between {source!r} and {target!r}", err=True)
        sys.exit(1)
    if fmt != "table":
        click.echo(rows.wide().render(fmt))
        return
    for r in rows:
        click.echo(f"{r.source} -{r.relation}-> {r.target}   [{r.rule}, confidence {r.confidence}]")
        click.echo(f"  {r.path}:{r.start}-{r.end}  ({r.doc}{', ' + r.published if r.published else ''})")
        click.echo(f"  {r.sentence}")


@main.command("clean")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--steps", is_flag=True, help="Also show what each cleaning step removed or changed.")
def clean_cmd(inputs, steps):
    """Print the cleaned text and metadata of article FILEs (folders, globs, - for stdin)."""
    from loaders.clean import clean
    from loaders.read import iter_documents

    from .model import Failure

    done = failed = 0
    for d in iter_documents(list(inputs)):
        if isinstance(d, Failure):
            click.echo(f"kg: {one_line(d)}", err=True)
            failed += 1
            continue
        clean(d)
        done += 1
        click.echo(f"# {d.id}")
        for key in ("title", "published", "source", "author", "url"):
            click.echo(f"{key}: {getattr(d, key) or '-'}")
        click.echo(f"spun: {'yes' if d.spun else 'no'}")
        if steps:
            click.echo("steps:")
            for s in d.steps:
                click.echo(f"  {s.name}: {s.changes}" + (f"  e.g. {' | '.join(s.examples)}" if s.examples else ""))
        click.echo("---")
        click.echo(d.text)
        click.echo("")
    if failed:
        sys.exit(2 if not done else EXIT_PARTIAL)


def _export_formats() -> list[str]:
    from .export import formats

    return formats()


#: RDF files `kg export` derives from the graph folder's store (as `kg build --formats` does).
RDF_EXPORTS = {"ttl": "Turtle, from the SPARQL store", "nt": "N-Triples, from the SPARQL store",
               "jsonld": "JSON-LD with the schema's context, from the SPARQL store"}


def _export_epilog() -> str:
    from .export import EXPORTERS
    from .rdf import FILES, FORMAT_ALIASES

    return ("\b\nFormats:\n" + "\n".join(f"  {e.name:<10} {e.help} (default file: {e.default})"
                                         for e in EXPORTERS.values())
            + "\n  neo4j-csv  Node and relationship CSVs for neo4j-admin import, with a README "
              "(default folder: neo4j-csv)\n"
            + "\n".join(f"  {k:<10} {v} (default file: {FILES[FORMAT_ALIASES[k]]})"
                        for k, v in RDF_EXPORTS.items()))


@main.command("export", epilog=_export_epilog())
@click.option("--format", "fmt", type=click.Choice(_export_formats() + ["neo4j-csv", *RDF_EXPORTS]),
              required=True,
              help="What to write (see the list below).")
@click.option("-o", "--out", type=click.Path(),
              help="Output file (a folder for csv). Default: the format's file name in the graph folder.")
@graph_dir_option
@click.option("--level", type=click.Choice(["province", "city", "county"]),
              help="map only: the region level flows are counted between (default province).")
@click.option("--max-nodes", type=click.IntRange(1), help="png/svg only: draw at most this many "
              "best-connected nodes (default 200).")
def export_cmd(fmt, out, graph_dir, level, max_nodes):
    """Write the graph for other tools (Gephi, Cytoscape, spreadsheets) or as pictures and pages."""
    from pathlib import Path

    from .export import EXPORTERS, export

    if fmt in RDF_EXPORTS:  # straight from the store: the graph is not loaded
        from .outfolder import resolve
        from .outputs import add_formats
        from .rdf import FILES, FORMAT_ALIASES, dump_formats, open_store

        name = FORMAT_ALIASES[fmt]
        done = add_formats(graph_dir, [name]) if not out and resolve(graph_dir) != Path(graph_dir) else None
        if done is None:
            path = Path(out) if out else Path(graph_dir) / FILES[name]
            store = open_store(graph_dir)
            try:
                dump_formats(store, path.parent, [name], {name: path})
            finally:
                del store
            done = [path]
        click.echo(f"wrote {done[0]}")
        return
    g = _load(graph_dir)
    if fmt == "neo4j-csv":  # kg.neo4j (issue 7): a folder of CSVs + README with the import command
        from .neo4j import export_neo4j_csv

        folder = Path(out) if out else Path(graph_dir) / "neo4j-csv"
        export_neo4j_csv(g, folder)
        click.echo(f"wrote {folder}")
        return
    path = Path(out) if out else Path(graph_dir) / EXPORTERS[fmt].default
    click.echo(f"wrote {export(g, fmt, path, level=level, max_nodes=max_nodes)}")


# -- RDF and SPARQL (issue 6): kg sparql, kg validate, kg push sparql -----------------------

def _bindings(binds) -> dict[str, str]:
    out = {}
    for b in binds:
        name, sep, value = b.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(f"--bind wants NAME=VALUE, got {one_line(b[:60])!r}")
        out[name.strip()] = value
    return out


@main.command("sparql")
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the query from FILE (a .rq file; - for stdin).")
@graph_dir_option
@click.option("--endpoint", metavar="URL",
              help="Ask this SPARQL endpoint instead of the local store (http://host:7878 for "
                   "an Oxigraph server).")
@format_option
@click.option("-b", "--bind", "binds", multiple=True, metavar="NAME=VALUE",
              help="Give parameter NAME a value (a string; <…> for an IRI). A query file's "
                   "declared names (`# param county: region`) are matched by the one name rule "
                   "and bound as ids; an unknown NAME is an error. Repeatable.")
@click.option("--update", "allow_update", is_flag=True,
              help="Allow INSERT/DELETE/LOAD/CLEAR/DROP/CREATE on an --endpoint (read-only otherwise; "
                   "the store `kg build` writes takes no updates).")
@click.option("--federated", is_flag=True,
              help="Let the local store call other servers (SERVICE <url>, LOAD <url>); off by default.")
@server_options(retries=2)
def sparql_cmd(query, query_file, graph_dir, endpoint, fmt, binds, allow_update, federated, retries,
               timeout, connect_timeout):
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph.

    The default target is the embedded Oxigraph store that `kg build` writes into
    DIR/oxigraph (no server needed). Prefixes kg:, rdf:, rdfs:, xsd:, owl:, skos:,
    prov:, schema: and org: are predeclared. Examples:

    \b
      kg sparql 'SELECT ?h ?name WHERE { ?h a kg:Hospital ; schema:name ?name }'
      kg sparql -f examples/queries/partners_of.rq --bind name=饶平县人民医院
      kg sparql -f examples/queries/supports_county.rq --endpoint http://127.0.0.1:7878
    """
    from .params import prepare
    from .sparql import load_query, sparql

    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY or -f FILE (one of them)")
    if query_file is not None:
        text = sys.stdin.read() if query_file == "-" else load_query(query_file)
    else:
        text = query
    values = prepare(text, _bindings(binds), "sparql", lambda: _load(graph_dir))
    rows = sparql(endpoint or graph_dir, text, bindings=values, update=allow_update,
                  federated=federated, retries=retries, timeout=timeout, connect_timeout=connect_timeout)
    click.echo(rows.render(fmt))


@main.command("validate")
@graph_dir_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def validate_cmd(graph_dir, fmt):
    """Check the graph against the SHACL shapes (schema/shapes.ttl) with pySHACL.

    Exit 1 when there are violations; warnings (e.g. a hospital the article never
    locates) are reported and exit 0.
    """
    from .rdf import validate

    report = validate(_load(graph_dir))
    if fmt == "json":
        click.echo(json.dumps({"conforms": report.ok, "violations": report.violations,
                               "warnings": report.warnings, "results": report.results},
                              ensure_ascii=False, indent=1))
    else:
        click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@main.group()
def push():
    """Push the graph to a database server (SPARQL 1.1 store or Neo4j/Bolt)."""


@push.command("sparql")
@click.option("--endpoint", required=True, metavar="URL",
              help="SPARQL 1.1 Update endpoint (http://host:7878 for an Oxigraph server).")
@click.option("-g", "--dir", "graph_dir", default="kg-out", show_default=True,
              type=click.Path(file_okay=False), help="Folder written by `kg build`.")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="Replace this named graph (atomically, at the end) instead of adding to "
                   "the default graph.")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1),
              help="Triples per INSERT DATA request.")
@server_options(retries=4)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def push_sparql(endpoint, graph_dir, graph_iri, batch, retries, timeout, connect_timeout, quiet):
    """Load the graph into a SPARQL store, in batches; a re-run resumes and never duplicates.

    Landed batches are recorded in DIR/push-sparql.json.
    """
    from .sparql import push as run

    def progress(i, n):
        if not quiet:
            click.echo(f"batch {i + 1}/{n} landed", err=True)

    res = run(graph_dir, endpoint, graph_iri=graph_iri, batch=batch, retries=retries, timeout=timeout,
              connect_timeout=connect_timeout, on_batch=progress)
    if not quiet:
        where = f" graph <{graph_iri}>" if graph_iri else " (default graph)"
        click.echo(f"pushed {res.triples} triples to {endpoint}{where}: {len(res.sent)} batches "
                   f"sent, {len(res.skipped)} already landed")


# -- Cypher and Neo4j (issue 7): kg cypher, kg push neo4j -------------------------------------

def _neo4j_password(user: str, uri: str) -> str:
    """NEO4J_PASSWORD, else a hidden prompt: never a command-line argument."""
    import os

    pw = os.environ.get("NEO4J_PASSWORD")
    if pw is not None:
        return pw
    try:
        return click.prompt(f"Password for {user} at {uri}", hide_input=True)
    except click.exceptions.Abort:  # no terminal (or Ctrl-D): a usage error, not a partial build's 1
        raise click.UsageError("no password: set NEO4J_PASSWORD, or run the command in a terminal "
                               "to be asked for it") from None


@main.command("cypher")
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the query from FILE (- for stdin); a NAME.ladybug.cypher next to "
                   "NAME.cypher is used for the embedded database.")
@graph_dir_option
@click.option("--uri", metavar="URI", help="Ask this Bolt server (Neo4j, ArcadeDB) instead of "
              "the embedded database; password from NEO4J_PASSWORD or a prompt.")
@click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True,
              help="Server user (or NEO4J_USER).")
@click.option("--database", envvar="NEO4J_DATABASE", help="Server database (or NEO4J_DATABASE).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter $NAME; VALUE is read as JSON when it parses, else a string. "
                   "A query file's declared names (`// param county: region`) are matched by "
                   "the one name rule against -g DIR and passed as ids; an unknown NAME is an error.")
@format_option
@click.option("--write", is_flag=True,
              help="Allow CREATE/MERGE/SET/DELETE/REMOVE/DROP/COPY/LOAD on a --uri server (read-only "
                   "otherwise; the database `kg build` writes takes no writes).")
@server_options(retries=2)
def cypher_cmd(query, query_file, graph_dir, uri, user, database, params, fmt, write, retries, timeout,
               connect_timeout):
    """Run a Cypher query on the graph.

    The default target is the embedded database `kg build` writes into DIR/graph.lbug
    (ladybug: no server, opened read-only); with --uri, -g DIR is still where names
    given with -p are looked up. Nodes carry their type as label and an
    `id`, `name`, `type` property; see docs/neo4j.md for the schema. Examples:

    \b
      kg cypher 'MATCH (h:Hospital)-[:SUPPORTS]->(c:County) RETURN h.name, c.name'
      kg cypher -f examples/queries/partners_of.cypher -p name=饶平县人民医院
      kg cypher -f examples/queries/supports_county.cypher --uri bolt://localhost:7687
    """
    from .cypher import load_query, parse_params, query_embedded
    from .params import prepare

    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY or -f FILE (one of them)")
    engine = "bolt" if uri else "ladybug"
    if query_file == "-":
        text = sys.stdin.read()
    elif query_file is not None:
        text = load_query(query_file, engine)
    else:
        text = query
    values = prepare(text, parse_params(params), "cypher", lambda: _load(graph_dir))
    if uri:
        from .neo4j import query_bolt

        rows = query_bolt(uri, user, _neo4j_password(user, uri), text, values, database=database,
                          write=write, retries=retries, timeout=timeout, connect_timeout=connect_timeout)
    else:
        if write:
            from .cypher import DB_NAME
            from .errors import DerivedStoreError

            raise DerivedStoreError(os.path.join(graph_dir, DB_NAME),
                                    "push it to a Bolt server (kg push neo4j) and write there "
                                    "(kg cypher --uri URI --write)")
        rows = query_embedded(graph_dir, text, values)
    click.echo(rows.render(fmt))


@push.command("neo4j")
@click.option("-g", "--dir", "graph_dir", default="kg-out", show_default=True,
              type=click.Path(file_okay=False), help="Folder written by `kg build`.")
@click.option("--uri", envvar="NEO4J_URI", default="bolt://localhost:7687", show_default=True,
              help="Bolt URI of Neo4j 4/5 or ArcadeDB (or NEO4J_URI).")
@click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True,
              help="User (or NEO4J_USER); the password comes from NEO4J_PASSWORD or a prompt.")
@click.option("--database", envvar="NEO4J_DATABASE", help="Database (default: the user's home database).")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1),
              help="Rows per UNWIND transaction.")
@click.option("--prune", is_flag=True,
              help="Afterwards delete Entity/Document/Evidence nodes and their relationships "
                   "that this graph no longer has.")
@server_options(retries=4)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def push_neo4j_cmd(graph_dir, uri, user, database, batch, prune, retries, timeout, connect_timeout, quiet):
    """Load the graph into Neo4j (or another Bolt server) in batches; re-running it is safe.

    Constraints on the ids come first; nodes and relationships are MERGEd, so a second
    push changes nothing and a push cut off half-way can simply be run again.
    """
    from .neo4j import push_neo4j

    g = _load(graph_dir)
    res = push_neo4j(g, uri, user, _neo4j_password(user, uri), database=database, batch=batch,
                     prune=prune, retries=retries, timeout=timeout, connect_timeout=connect_timeout,
                     progress=None if not quiet else False)
    if not quiet:
        click.echo(res.line())


if __name__ == "__main__":  # pragma: no cover
    main()
