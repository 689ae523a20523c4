-- version 8: a score keeps its components' raw values (for explanations)
ALTER TABLE hcp_scores ADD COLUMN components_raw_json TEXT
