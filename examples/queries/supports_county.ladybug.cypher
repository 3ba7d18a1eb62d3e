// supports_county for the embedded database (ladybug): the same question and rows as
// supports_county.cypher, with list_sort() where Neo4j sorts with ORDER BY before collect().
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
WITH s, u, list_sort(collect(DISTINCT r.kind)) AS relations, sum(r.evidence_count) AS evidence,
     collect(r.edge_key) AS keys
OPTIONAL MATCH (ev:Evidence) WHERE ev.edge_key IN keys
RETURN s.name AS supporter, s.type AS supporter_type, u.name AS county, u.type AS county_type,
       u.code AS county_code, relations, evidence, list_sort(collect(DISTINCT ev.doc)) AS documents,
       s.id AS supporter_id, u.id AS county_id
ORDER BY coalesce(county_code, ''), county, supporter
