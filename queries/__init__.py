"""Named Cypher statements, one per ``verb_noun.cypher`` file (loaded by :mod:`kolgraph.cypher`)."""
