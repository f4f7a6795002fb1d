"""Rank: score every candidate sentence for a question, with a fitted model read from ranker.json."""
