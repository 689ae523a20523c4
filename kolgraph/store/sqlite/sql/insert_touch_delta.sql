-- the HCPs whose touchpoints the write making store_version :version changed, from state :prior
INSERT INTO touch_deltas (version, prior, hcp_ids) VALUES (:version, :prior, :hcp_ids)
