// purpose: whether the store holds any AUTHORED relationship (a first load of authorships can then create instead of merge)
// params:
MATCH (:HCP)-[r:AUTHORED]->(:Publication)
RETURN count(r) AS authorships
