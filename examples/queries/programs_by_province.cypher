// Which named programmes run in which province, and who runs them there? A programme belongs
// to a province when an entity that RUNS it is the province or lies in it, or when the
// programme itself lies in it (the `province` property, from kg.query.Places: LOCATED_IN,
// else the division data) - the pairs of graph.programs(region=PROVINCE) and
// programs_by_province.rq. Programmes run only by national bodies are not listed.
// The embedded database runs programs_by_province.ladybug.cypher (list_sort for run_by).
MATCH (g:Program)
OPTIONAL MATCH (x:Entity)-[:RUNS]->(g)
WITH g, x
MATCH (p:Province)
WHERE p.id = x.province OR p.id = g.province
WITH p, g, CASE WHEN x.province = p.id THEN x.name END AS runner ORDER BY runner
RETURN p.name AS province, g.name AS program, collect(DISTINCT runner) AS run_by,
       p.id AS province_id, g.id AS program_id
ORDER BY province_id, program
