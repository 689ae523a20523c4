"""The rules that decide an answer, written once for every store and for the CLI and web.

``gaps`` (coverage gaps and coverage), ``network`` (co-authors, suggestions, paths, warm
introductions) and ``browse`` (search, top lists, profiles, recent insights, network views)
take rows a store read and return the answer; they import no store.
"""
