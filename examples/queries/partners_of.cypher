// All partnerships of one hospital (or any organisation), in both directions: SUPPORTS,
// MANAGES, PARTNERS_WITH, LEADS, MEMBER_OF, with evidence and document counts; the same
// rows as `kg ask partners NAME` (for an exact name) and partners_of.rq. Pass $name, the
// entity's id, name or an alias, e.g.
//   kg cypher -f examples/queries/partners_of.cypher -p name=饶平县人民医院
MATCH (e:Entity)-[r:SUPPORTS|MANAGES|PARTNERS_WITH|LEADS|MEMBER_OF]->(o:Entity)
WHERE e.id = $name OR e.name = $name OR $name IN e.aliases
RETURN e.name AS entity, 'out' AS direction, r.kind AS relation, o.name AS other,
       o.type AS other_type, r.evidence_count AS evidence, size(r.documents) AS documents,
       r.confidence AS confidence, e.id AS entity_id, o.id AS other_id
UNION ALL
MATCH (o:Entity)-[r:SUPPORTS|MANAGES|PARTNERS_WITH|LEADS|MEMBER_OF]->(e:Entity)
WHERE e.id = $name OR e.name = $name OR $name IN e.aliases
RETURN e.name AS entity, 'in' AS direction, r.kind AS relation, o.name AS other,
       o.type AS other_type, r.evidence_count AS evidence, size(r.documents) AS documents,
       r.confidence AS confidence, e.id AS entity_id, o.id AS other_id
