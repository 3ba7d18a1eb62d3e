// All partnerships of one entity, in both directions: SUPPORTS, MANAGES, PARTNERS_WITH, LEADS,
// MEMBER_OF. The rows and columns of `kg ask partners NAME` (its default view;
// kg.query.partners) and partners_of.rq: direction is "out" when the entity is the subject,
// "in" when it is the object; since / as_of from the edge; sources: the articles behind it,
// "date title".
//
// param name: entity, required   the entity, by the one name rule (id, name, alias, code, short name)
//
//   kg cypher -f examples/queries/partners_of.cypher -p name=饶平县人民医院
MATCH (a:Entity)-[r:SUPPORTS|MANAGES|PARTNERS_WITH|LEADS|MEMBER_OF]->(b:Entity)
WHERE a.id = $name OR b.id = $name
OPTIONAL MATCH (ev:Evidence) WHERE ev.edge_key = r.edge_key
OPTIONAL MATCH (doc:Document) WHERE doc.id = ev.doc
WITH a, r, b, doc.label AS src
ORDER BY src SKIP 0
WITH a, r, b, collect(DISTINCT src) AS sources
WITH r, sources, CASE WHEN a.id = $name THEN 'out' ELSE 'in' END AS direction,
     CASE WHEN a.id = $name THEN a ELSE b END AS e, CASE WHEN a.id = $name THEN b ELSE a END AS o
RETURN e.name AS entity, direction, r.kind AS relation, o.name AS other, o.type AS other_type,
       r.since AS since, r.as_of AS as_of, sources
ORDER BY CASE relation WHEN 'SUPPORTS' THEN 1 WHEN 'MANAGES' THEN 2 WHEN 'PARTNERS_WITH' THEN 3
                       WHEN 'LEADS' THEN 4 ELSE 5 END, direction, other, o.id
