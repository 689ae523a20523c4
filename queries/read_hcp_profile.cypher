// purpose: one HCP with score, affiliations, publications (or the $latest), trials, touchpoints
// params: hcp_id, latest
MATCH (h:HCP {hcp_id: $hcp_id})
RETURN h {.*} AS hcp,
       COUNT { (h)-[:AUTHORED]->(:Publication) } AS publication_count,
       COLLECT {
         MATCH (h)-[r:AFFILIATED_WITH]->(i:Institution)
         RETURN {institution_id: i.institution_id, institution: i.name, type: i.type, city: i.city,
                 role: r.role, start_year: r.start_year, end_year: r.end_year}
       } AS affiliations,
       COLLECT {
         MATCH (h)-[a:AUTHORED]->(p:Publication)
         RETURN {pmid: p.pmid, title: p.title, journal: p.journal, year: p.year,
                 citation_count: p.citation_count, position: a.position,
                 last_author: coalesce(a.last_author, false), mesh_terms: p.mesh_terms}
         ORDER BY coalesce(p.year, 0) DESC, p.pmid
         LIMIT coalesce($latest, 2147483647)
       } AS publications,
       COLLECT {
         MATCH (h)-[r:INVESTIGATOR_ON]->(t:Trial)
         RETURN {nct_id: t.nct_id, title: t.title, phase: t.phase, status: t.status,
                 conditions: t.conditions, start_year: t.start_year, role: r.role}
       } AS trials,
       COLLECT {
         MATCH (m:MSL)-[:LOGGED]->(t:Touchpoint)-[:WITH]->(h)
         RETURN {touchpoint_id: t.touchpoint_id, date: t.date, msl_id: m.msl_id, msl_name: m.name,
                 channel: t.channel, topic: t.topic, insight: t.insight,
                 insight_category: t.insight_category, sentiment: t.sentiment}
       } AS touchpoints
