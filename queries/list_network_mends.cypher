// purpose: network writes after count $since up to $until that changed the links of given HCPs only
// params: epoch, since, until
OPTIONAL MATCH (m:NetworkMend)
WHERE m.epoch = $epoch AND m.network > $since AND m.network <= $until
WITH collect(m) AS mends
RETURN size(mends) AS writes, reduce(ids = [], m IN mends | ids + m.hcp_ids) AS hcp_ids
