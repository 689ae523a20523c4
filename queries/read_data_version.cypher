// purpose: the data version: epoch (new after a wipe), write count, network and HCP write counts
// params:
OPTIONAL MATCH (v:DataVersion {id: 1})
RETURN v.epoch AS epoch, v.version AS version, v.network AS network, v.hcps AS hcps
