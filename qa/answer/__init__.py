"""Answer: from ranked sentences to quoted, attributed extracts, or a refusal."""
