// Which article says SOURCE -RELATION-> TARGET, and in which sentence? One row per piece of
// evidence: document id, file path, date, the sentence, its raw-file character offsets, the
// extraction rule and its confidence (as evidence_for_edge.rq). Pass $source and $target
// (ids, names or aliases) and $relation (a relation type); an empty value means "any":
//   kg cypher -f examples/queries/evidence_for_edge.cypher -p source=暨南大学附属第一医院 \
//     -p target=饶平县人民医院 -p relation=
// Evidence nodes carry the edge_key of the relationship they support (joined in WHERE:
// ArcadeDB 26.10 misses the rows when the join is written as a pattern map {edge_key: r.edge_key}).
MATCH (s:Entity)-[r:SUPPORTS|MANAGES|PARTNERS_WITH|LEADS|MEMBER_OF|LOCATED_IN|ISSUED_BY|RUNS]->(t:Entity)
WHERE ($source = '' OR s.id = $source OR s.name = $source OR $source IN s.aliases)
  AND ($target = '' OR t.id = $target OR t.name = $target OR $target IN t.aliases)
  AND ($relation = '' OR r.kind = $relation)
MATCH (ev:Evidence)-[:FOUND_IN]->(d:Document)
WHERE ev.edge_key = r.edge_key
RETURN s.name AS source_name, r.kind AS relation, t.name AS target_name, d.id AS doc,
       coalesce(d.path, ev.path) AS path, coalesce(d.published, ev.published) AS published,
       ev.sentence AS sentence, ev.start AS start, ev.`end` AS `end`, ev.rule AS rule,
       ev.confidence AS confidence, s.id AS source_id, t.id AS target_id
ORDER BY source_id, relation, target_id, doc, start
