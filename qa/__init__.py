"""qa: answers questions over a folder of documents with verbatim, attributed quotes."""

__version__ = "0.1.0"
