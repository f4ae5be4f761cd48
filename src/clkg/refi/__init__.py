"""REFI-QDA (the exchange standard of NVivo, ATLAS.ti, MAXQDA, QualCoder): import a project
(``.qdpx``) or a codebook (``.qdc``) as a case dataset, and export a study back.

``archive`` opens the file (a zip read in memory with caps, or a bare XML file), ``xml`` parses
its XML safely, ``reader`` turns it into a :class:`~clkg.refi.reader.Project`, ``offsets``
finds how the writing tool counted positions, ``importer`` maps the project to the tables of
the case-data format and ``folder`` writes them; ``writer`` builds ``.qdc`` and ``.qdpx`` files
from a store.
"""
