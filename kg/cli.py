"""The ``kg`` command: a thin layer over the Python API (kg.pipeline, kg.query, kg.evaluate …).

Exit codes: 0 ok; 1 partial (some inputs failed, the rest was built); 2 bad input
or usage; 3 a store or server failed.
"""
from __future__ import annotations

import json
import sys

import click

from .errors import KGError

EXIT_PARTIAL = 1
FORMATS = click.Choice(["table", "csv", "json"])
graph_dir_option = click.option("-g", "--graph", "graph_dir", default="kg-out", show_default=True,
                                 type=click.Path(file_okay=False),
                                 help="Folder written by `kg build`.")
format_option = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)


def _load(graph_dir: str):
    from .graph import KnowledgeGraph

    return KnowledgeGraph.load(graph_dir)


class KGGroup(click.Group):
    """Turns the package's own errors into one clear line and a documented exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=KGGroup)
@click.version_option(package_name="health-kg")
def main():
    """Build and query a knowledge graph of the Chinese health system."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", default="kg-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for graph.json, graph.ttl, report.json and the stores.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for the per-article stage.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def build(inputs, out, jobs, quiet):
    """Read articles (files, folders, globs, - for stdin) and write the graph into OUT.

    Exit code 1 means partial: some inputs failed (listed, and in report.json) and
    everything else was built.
    """
    from .pipeline import build as run, summary_line

    res = run(inputs, out=out, jobs=jobs, progress=not quiet)
    for f in res.failures:
        click.echo(f"kg: error: {f}", err=True)
    if not res.documents:
        click.echo("kg: error: no article could be read from the inputs", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(summary_line(res) + f" → {out}/")
    if res.failures:
        sys.exit(EXIT_PARTIAL)


@main.group()
def ask():
    """Ask the graph a question (the same functions as the Python helpers)."""


@ask.command("supports")
@click.option("--county", help="Only this county (or city/province when that is what is supported).")
@click.option("--province", help="Only counties in this province.")
@click.option("--supporter", help="Only this supporter.")
@graph_dir_option
@format_option
def ask_supports(county, province, supporter, graph_dir, fmt):
    """Which hospitals (and organisations) support which counties."""
    rows = _load(graph_dir).supports(county=county, province=province, supporter=supporter)
    click.echo(rows.render(fmt))


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
@click.option("-v", "--verbose", is_flag=True, help="List misses and false positives.")
def eval_cmd(gold, graph_dir, fmt, verbose):
    """Precision, recall and F1 of the graph against gold annotations (JSONL)."""
    from .evaluate import evaluate, read_gold

    scores = evaluate(_load(graph_dir), read_gold(gold))
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
            for m in s.misses:
                click.echo(f"MISS {k}: {m}")
            for m in s.false_positives:
                click.echo(f"FP   {k}: {m}")


@main.command()
@graph_dir_option
@click.option("--type", "etype", help="Only entities of this type (Hospital, County, …).")
@click.option("--merges", is_flag=True, help="Show which surface forms became which node, and why.")
@format_option
def entities(graph_dir, etype, merges, fmt):
    """List entities with ids, codes, aliases and mention counts."""
    from .query import entity_rows, merge_rows

    g = _load(graph_dir)
    rows = merge_rows(g) if merges else entity_rows(g, etype)
    click.echo(rows.render(fmt))


@main.command()
@click.argument("source")
@click.argument("target")
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
        click.echo(rows.render(fmt))
        return
    for r in rows:
        click.echo(f"{r.source} -{r.relation}-> {r.target}   [{r.rule}, confidence {r.confidence}]")
        click.echo(f"  {r.path}:{r.start}-{r.end}  ({r.doc}{', ' + r.published if r.published else ''})")
        click.echo(f"  {r.sentence}")


if __name__ == "__main__":  # pragma: no cover
    main()
