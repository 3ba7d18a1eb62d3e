// Which hospitals and organisations support which counties? One row per (supporter, county),
// the same pairs as `kg ask supports` / graph.supports() and supports_county.rq:
//  - SUPPORTS and MANAGES edges count, and so does PARTNERS_WITH between a hospital and a
//    county, a town or another hospital (the hospital from outside is the supporter,
//    whichever way the text put it; both hospitals -> the target supports the source side);
//  - the supported end rolls up to its county (or city / province when it has no county)
//    through the support_unit property, which kg.cypher writes from kg.query.support_unit;
//  - support inside one unit is left out; PARTNERS_WITH counts only for counties.
// Neo4j / ArcadeDB form; the embedded database runs supports_county.ladybug.cypher, which
// sorts the lists with list_sort() (ladybug allows no ORDER BY before an aggregation).
MATCH (a:Entity)-[r:SUPPORTS|MANAGES|PARTNERS_WITH]->(b:Entity)
WITH r, a, b, (r.kind = 'PARTNERS_WITH' AND b.type = 'Hospital'
               AND a.type IN ['County', 'Hospital', 'Town']) AS swap
WITH r, CASE WHEN swap THEN b.id ELSE a.id END AS sid,
     CASE WHEN swap THEN b.type ELSE a.type END AS stype,
     CASE WHEN swap THEN b.support_unit ELSE a.support_unit END AS sunit,
     CASE WHEN swap THEN a.type ELSE b.type END AS dtype,
     CASE WHEN swap THEN a.support_unit ELSE b.support_unit END AS uid
WHERE uid IS NOT NULL AND sid <> uid AND (sunit IS NULL OR sunit <> uid)
  AND (r.kind <> 'PARTNERS_WITH' OR (stype = 'Hospital' AND dtype IN ['County', 'Hospital', 'Town']))
MATCH (s:Entity {id: sid})
MATCH (u:Entity {id: uid})
WHERE r.kind <> 'PARTNERS_WITH' OR u.type = 'County'
WITH s, u, r ORDER BY r.kind
WITH s, u, collect(DISTINCT r.kind) AS relations, sum(r.evidence_count) AS evidence,
     collect(r.edge_key) AS keys
OPTIONAL MATCH (ev:Evidence) WHERE ev.edge_key IN keys
WITH s, u, relations, evidence, ev.doc AS doc ORDER BY doc
RETURN s.name AS supporter, s.type AS supporter_type, u.name AS county, u.type AS county_type,
       u.code AS county_code, relations, evidence, collect(DISTINCT doc) AS documents,
       s.id AS supporter_id, u.id AS county_id
ORDER BY coalesce(county_code, ''), county, supporter
