// Which provinces support which other provinces? SUPPORTS and MANAGES edges whose two ends
// lie in different provinces, counted per (from province, to province) with the number of
// supporters, supported entities and edges: graph.flows(level="province", internal=False)
// and support_between_provinces.rq. An end's province is the `province` property kg.cypher
// writes from kg.query.Places (the LOCATED_IN chain, else the division data:
// 北京市 -> 同卡镇卫生院, division 540326 -> 西藏自治区); the query joins it to the Province node.
MATCH (s:Entity)-[r:SUPPORTS|MANAGES]->(t:Entity)
MATCH (pa:Province {id: s.province})
MATCH (pb:Province {id: t.province})
WHERE pa.id <> pb.id
RETURN pa.name AS from_province, pb.name AS to_province, count(DISTINCT s.id) AS supporters,
       count(DISTINCT t.id) AS supported, count(r) AS edges, pa.id AS from_id, pb.id AS to_id
ORDER BY edges DESC, from_id, to_id
