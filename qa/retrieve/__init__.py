"""Retrieve: from a question to the candidate sentences that dense and lexical search propose."""
