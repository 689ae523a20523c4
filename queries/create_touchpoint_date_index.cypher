// purpose: index Touchpoint.date, which coverage windows select touchpoints by
// params:
CREATE INDEX touchpoint_date IF NOT EXISTS
FOR (n:Touchpoint) ON (n.date)
