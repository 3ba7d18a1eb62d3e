// Named programmes, who runs them (RUNS) and where those runners are. The rows and columns of
// `kg ask programs [--region R]` (its default view; kg.query.programs) and programs.rq: run_by
// and regions are sorted lists (regions: the runners' region paths); ordered by the number of
// articles that mention the programme or its RUNS edges (most first), then name.
//
// param region: region   only programmes that, or whose runners, are or stand in this region
//
//   kg cypher -f examples/queries/programs.cypher -p region=广东
MATCH (g:Program)
OPTIONAL MATCH (y:Entity)-[:RUNS]->(g) WHERE $region IN y.within
WITH g, count(y) AS inside
WHERE $region = '' OR inside > 0 OR $region IN g.within
OPTIONAL MATCH (x:Entity)-[:RUNS]->(g)
WITH g, x.name AS runner ORDER BY runner SKIP 0
WITH g, collect(DISTINCT runner) AS run_by
OPTIONAL MATCH (x:Entity)-[:RUNS]->(g)
WITH g, run_by, x.region AS reg ORDER BY reg SKIP 0
WITH g, run_by, collect(DISTINCT reg) AS regions
OPTIONAL MATCH (g)-[:MENTIONED_IN]->(d:Document)
WITH g, run_by, regions, collect(DISTINCT d.id) AS mentioned
OPTIONAL MATCH (ev:Evidence)
WHERE ev.relation = 'RUNS' AND ev.target = g.id AND NOT ev.doc IN mentioned
WITH g, run_by, regions, mentioned, count(DISTINCT ev.doc) AS more
WITH g, run_by, regions, size(mentioned) + more AS n
RETURN g.name AS program, run_by, regions
ORDER BY n DESC, program, g.id
