"""The fast file checksum every stored file is verified with (index versions, the encoder cache)."""

from __future__ import annotations

from pathlib import Path


def checksum_file(path: Path) -> str:
    """XXH3-64 of the file's bytes, as hex. Read into one reused buffer (no copies of a 90 MB
    encoder; not mmap, which a file truncated meanwhile would turn into SIGBUS)."""
    import xxhash

    digest = xxhash.xxh3_64()
    buffer = bytearray(1 << 22)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()
