// purpose: node count per label and relationship count per type (COAUTHORED_WITH once per pair)
// params:
CALL () { MATCH (n:HCP) RETURN count(n) AS hcp }
CALL () { MATCH (n:Institution) RETURN count(n) AS institution }
CALL () { MATCH (n:Publication) RETURN count(n) AS publication }
CALL () { MATCH (n:Trial) RETURN count(n) AS trial }
CALL () { MATCH (n:MSL) RETURN count(n) AS msl }
CALL () { MATCH (n:Touchpoint) RETURN count(n) AS touchpoint }
CALL () { MATCH ()-[r:AFFILIATED_WITH]->() RETURN count(r) AS affiliated_with }
CALL () { MATCH ()-[r:AUTHORED]->() RETURN count(r) AS authored }
CALL () { MATCH ()-[r:COAUTHORED_WITH]->() RETURN count(r) AS coauthored_with }
CALL () { MATCH ()-[r:INVESTIGATOR_ON]->() RETURN count(r) AS investigator_on }
CALL () { MATCH ()-[r:LOGGED]->() RETURN count(r) AS logged }
CALL () { MATCH ()-[r:WITH]->() RETURN count(r) AS with_hcp }
RETURN {HCP: hcp, Institution: institution, Publication: publication, Trial: trial,
        MSL: msl, Touchpoint: touchpoint} AS nodes,
       {AFFILIATED_WITH: affiliated_with, AUTHORED: authored, COAUTHORED_WITH: coauthored_with,
        INVESTIGATOR_ON: investigator_on, LOGGED: logged, WITH: with_hcp} AS relationships
