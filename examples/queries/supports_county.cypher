// Who supports or manages which county? The rows and columns of `kg ask supports` (its
// default view; kg.query.supports) and supports_county.rq: one row per (supporter,
// recipient), from SUPPORTS and MANAGES edges.
//  - the supported end rolls up to the county it stands in, or the city or province when it
//    has none (the support_unit property kg.cypher writes from kg.query.Places.support_unit);
//    support inside one unit is left out;
//  - since / as_of: the earliest since and the latest as_of of the pair's edges;
//  - experts / money: the largest figure any edge states (not a sum);
//  - sources: every article behind the edges as "date title" (its file name when untitled).
// Ordered by the recipient's province, the recipient (by division code), the supporter.
//
// param county: region       only recipients that are or lie in this region (饶平县, 饶平, 445122)
// param province: region     the same, meant for a province (广东, 440000)
// param supporter: entity    only this supporter, or supporters standing in this region
// param level: level         only recipients of this level: county, city or province
//
//   kg cypher -f examples/queries/supports_county.cypher -p county=饶平
MATCH (s:Entity)-[r:SUPPORTS|MANAGES]->(d:Entity)
WHERE d.support_unit IS NOT NULL AND s.id <> d.support_unit
  AND (s.support_unit IS NULL OR s.support_unit <> d.support_unit)
MATCH (u:Entity {id: d.support_unit})
WHERE ($county = '' OR $county IN u.within)
  AND ($province = '' OR $province IN u.within)
  AND ($supporter = '' OR s.id = $supporter OR $supporter IN s.within)
  AND ($level = '' OR toLower(u.type) = $level)
OPTIONAL MATCH (ev:Evidence) WHERE ev.edge_key = r.edge_key
OPTIONAL MATCH (doc:Document) WHERE doc.id = ev.doc
WITH s, u, r, doc.label AS src
ORDER BY src SKIP 0
WITH s, u, collect(DISTINCT r.kind) AS kinds, min(r.since) AS since, max(r.as_of) AS as_of,
     max(r.experts) AS experts, max(r.money) AS money, collect(DISTINCT src) AS sources
OPTIONAL MATCH (p:Province) WHERE p.id = u.province
RETURN coalesce(p.name, '') AS province, s.name AS supporter, u.name AS recipient,
       toLower(u.type) AS level,
       CASE WHEN 'MANAGES' IN kinds AND 'SUPPORTS' IN kinds THEN ['MANAGES', 'SUPPORTS']
            WHEN 'MANAGES' IN kinds THEN ['MANAGES'] ELSE ['SUPPORTS'] END AS relation,
       since, as_of, experts, money, sources
ORDER BY coalesce(p.code, ''), coalesce(u.code, ''), recipient, supporter, s.id
