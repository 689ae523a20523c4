-- store the settings of the territory alignment (one row)
INSERT OR REPLACE INTO territory_alignment (id, source, override) VALUES (1, :source, :override)
