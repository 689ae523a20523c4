"""kolgraph: a KOL relationship graph explorer for medical affairs teams."""

__version__ = "0.1.0"
