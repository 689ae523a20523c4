// purpose: end every write transaction: bump the versions, note a correction's HCPs, stamp touches
// params: network, hcps, corrected, touched
MERGE (v:DataVersion {id: 1})
ON CREATE SET v.epoch = randomUUID(), v.version = 0
SET v.version = v.version + 1,
    v.network = coalesce(v.network, 0) + $network,
    v.hcps = coalesce(v.hcps, 0) + $hcps
FOREACH (_ IN CASE WHEN $network > 0 AND size($corrected) > 0 THEN [1] ELSE [] END |
  CREATE (:NetworkMend {epoch: v.epoch, network: v.network, hcp_ids: $corrected}))
WITH v
UNWIND $touched AS hcp_id
MATCH (h:HCP {hcp_id: hcp_id})
SET h.touch_seq = v.version
