// purpose: the stored fields of each given institution (kept where a source load gives nothing)
// params: request
UNWIND $request.keys AS key
MATCH (i:Institution {institution_id: key})
RETURN collect([key, i.name, i.type, i.city, i.state, i.country]) AS rows
