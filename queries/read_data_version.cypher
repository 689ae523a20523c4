// purpose: the data version: the node's epoch (new after a wipe) and write count
// params:
OPTIONAL MATCH (v:DataVersion {id: 1})
RETURN v.epoch AS epoch, v.version AS version
