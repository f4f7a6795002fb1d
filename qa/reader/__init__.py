"""The reader: a cross-encoder, trained here on human-written questions, that reads a question together
with each candidate sentence and says how likely the sentence answers it.

Retrieval signals measure overlap (shared words, nearby vectors); only a model that reads the
two texts together can tell "800 prisoners remain" from "56 prisoners were freed". It runs on
the ranked candidates' best few, with onnxruntime (no torch on the question path).
"""
