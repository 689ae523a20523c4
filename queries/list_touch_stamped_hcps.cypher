// purpose: HCPs whose touchpoints a write after data version $since rewrote (touch_seq)
// params: since
MATCH (h:HCP)
WHERE h.touch_seq > $since
RETURN collect(h.hcp_id) AS hcp_ids
