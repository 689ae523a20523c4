-- HCPs of a territory
SELECT hcp_id FROM hcps WHERE territory = :territory
