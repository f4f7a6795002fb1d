"""Annotation at index-build time: named entities, who is speaking, and calendar dates.

Every sentence is read once with spaCy when the index is built, so questions such
as "what did the UN say last week?" can later be answered from stored notes
without a model. Modules:

- records: the frozen notes (document offsets) and their compact JSON form
- dates: pure-Python resolution of date words against the document's date
- statements: the speaker, reporting verb and relaying outlet, from a dependency parse
- tense: past, present or future, from a date's governing verb
- pronouns: what a pronoun speaker ("He added") points back to
- pipeline: `annotate(documents)`, the one entry point, and `ANALYSIS_ID`

Importing this package never imports spaCy; `pipeline.annotate` does, once.
"""
