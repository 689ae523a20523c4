// purpose: end every write transaction: bump the versions, stamp the HCPs whose touches it rewrote
// params: network, hcps, touched
MERGE (v:DataVersion {id: 1})
ON CREATE SET v.epoch = randomUUID(), v.version = 0
SET v.version = v.version + 1,
    v.network = coalesce(v.network, 0) + $network,
    v.hcps = coalesce(v.hcps, 0) + $hcps
WITH v
UNWIND $touched AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
SET h.touch_seq = v.version
