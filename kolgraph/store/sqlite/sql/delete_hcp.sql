-- remove one HCP row (a merge folded it into another; its links were moved first)
DELETE FROM hcps WHERE hcp_id = :hcp_id
