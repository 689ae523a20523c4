-- layout 6: whether an HCP's territory came from the territory alignment (0: explicit or none)
ALTER TABLE hcps ADD COLUMN territory_aligned INTEGER NOT NULL DEFAULT 0
