// purpose: end every write transaction with a new data version (cached answers then go)
// params:
MERGE (v:DataVersion {id: 1})
ON CREATE SET v.epoch = randomUUID(), v.version = 0
SET v.version = v.version + 1
