// Support between regions: SUPPORTS and MANAGES edges counted between the regions of one level
// their two ends stand in. The rows and columns of `kg ask flows [--level L]` (its default view;
// kg.query.flows) and flows.rq.
//  - an end's region at each level is its province, city_unit or county_unit property, written
//    by kg.cypher from kg.query.Places.unit: a hospital placed only in its province stands in the
//    province's seat city; with nothing known at that level an end stays at the coarser one
//    (source_level and target_level say which);
//  - count: edges; supporters / recipients: distinct entities at each end of them;
//    evidence: the sentences behind them (one edge read in three articles counts 3).
// Ordered by count (most first), then by the two regions' division codes.
//
// param level: level   province (the default), city or county
//
//   kg cypher -f examples/queries/flows.cypher -p level=city
MATCH (s:Entity)-[r:SUPPORTS|MANAGES]->(t:Entity)
WITH s, r, t,
     CASE $level WHEN 'county' THEN s.county_unit WHEN 'city' THEN s.city_unit ELSE s.province END AS aid,
     CASE $level WHEN 'county' THEN t.county_unit WHEN 'city' THEN t.city_unit ELSE t.province END AS bid
WHERE aid IS NOT NULL AND bid IS NOT NULL
MATCH (a:Entity) WHERE a.id = aid
MATCH (b:Entity) WHERE b.id = bid
WITH a, b, count(r) AS n, count(DISTINCT s.id) AS supporters, count(DISTINCT t.id) AS recipients,
     sum(r.evidence_count) AS evidence
RETURN a.name AS source_region, b.name AS target_region, toLower(a.type) AS source_level,
       toLower(b.type) AS target_level, n AS count, supporters, recipients, evidence
ORDER BY count DESC, coalesce(a.code, ''), coalesce(b.code, ''), a.id, b.id
