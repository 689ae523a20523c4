-- version 8 (new indexes by the DDL): touchpoints_by_hcp_date covers what this one served
DROP INDEX IF EXISTS touchpoints_by_hcp
