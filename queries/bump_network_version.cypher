// purpose: end a write that may change co-authorships or current affiliations (both versions move)
// params:
MERGE (v:DataVersion {id: 1})
ON CREATE SET v.epoch = randomUUID(), v.version = 0, v.network = 0
SET v.version = v.version + 1, v.network = coalesce(v.network, 0) + 1
