-- the settings of the stored territory alignment (no row: none stored)
SELECT override, source FROM territory_alignment WHERE id = 1
