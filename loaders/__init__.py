"""Loaders: read a source format into raw canonical tables, then validate them into a Batch.

Every format (the canonical CSV bundle here; PubMed, NPPES, ClinicalTrials.gov and Open
Payments later) produces a :class:`~kolgraph.loaders.validate.RawBundle` of string tables, and
:func:`~kolgraph.loaders.validate.validate` turns it into a typed
:data:`kolgraph.schema.Batch` or reports every problem at once.  No database code lives here.
"""
