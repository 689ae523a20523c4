// purpose: a trivial read that proves the server, the credentials and the database all work
// params:
RETURN 1 AS ok
