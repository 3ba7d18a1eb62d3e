// Which article says A -RELATION-> B (or B -> A), and in which sentence? The rows and columns of
// `kg ask evidence A B [--relation R]` (its default view; kg.query.evidence) and
// evidence_for_edge.rq: one row per piece of evidence, with the article's date and title.
// Evidence nodes carry the edge_key of the relationship they support; ev.doc, ev.path,
// ev.start, ev.`end`, ev.rule and ev.confidence hold what `kg ask evidence --wide` adds.
//
// param source: entity, required   one end, by the one name rule
// param target: entity, required   the other end
// param relation: relation         only edges of this type (SUPPORTS, MANAGES, …)
//
//   kg cypher -f examples/queries/evidence_for_edge.cypher -p source=暨大附一 \
//     -p target=饶平县人民医院 -p relation=MANAGES
MATCH (s:Entity)-[r:SUPPORTS|MANAGES|PARTNERS_WITH|LEADS|MEMBER_OF|LOCATED_IN|ISSUED_BY|RUNS]->(t:Entity)
WHERE ((s.id = $source AND t.id = $target) OR (s.id = $target AND t.id = $source))
  AND ($relation = '' OR r.kind = $relation)
MATCH (ev:Evidence) WHERE ev.edge_key = r.edge_key
OPTIONAL MATCH (d:Document) WHERE d.id = ev.doc
RETURN s.name AS source, r.kind AS relation, t.name AS target,
       coalesce(d.published, ev.published) AS published, d.title AS title, ev.sentence AS sentence
ORDER BY s.id, relation, t.id, ev.doc, ev.start, ev.`end`, ev.rule
