// purpose: store conditions as [] on the given trials (the import tool cannot)
// params: keys
UNWIND $keys AS nct_id
MATCH (t:Trial {nct_id: nct_id})
SET t.conditions = []
