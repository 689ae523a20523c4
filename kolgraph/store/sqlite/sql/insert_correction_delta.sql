-- the HCPs the correction making store_version :version merged or split, from state :prior
INSERT INTO correction_deltas (version, prior, hcp_ids) VALUES (:version, :prior, :hcp_ids)
