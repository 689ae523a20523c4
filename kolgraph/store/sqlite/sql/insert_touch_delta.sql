-- the HCPs whose touchpoints the write making store_version :version changed
INSERT INTO touch_deltas (version, hcp_ids) VALUES (:version, :hcp_ids)
