"""Turning files of many formats into quotable text that remembers where it came from."""
