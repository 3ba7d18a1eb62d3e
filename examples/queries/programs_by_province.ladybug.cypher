// programs_by_province for the embedded database (ladybug): the same question and rows as
// programs_by_province.cypher, with list_sort() where Neo4j sorts with ORDER BY before collect().
MATCH (g:Program)
OPTIONAL MATCH (x:Entity)-[:RUNS]->(g)
WITH g, x
MATCH (p:Province)
WHERE p.id = x.province OR p.id = g.province
WITH p, g, CASE WHEN x.province = p.id THEN x.name END AS runner
RETURN p.name AS province, g.name AS program, list_sort(collect(DISTINCT runner)) AS run_by,
       p.id AS province_id, g.id AS program_id
ORDER BY province_id, program
