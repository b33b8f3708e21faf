"""Stage 2, compute: the Sozialindex, the events' results and the prepared store.

Takes the checked ``Inputs`` of stage 1 and hands on numbers: shares, z-values and classes of
every area, totals of every unit and the city (with small counts withheld), event results with
confidence intervals, rounds compared. :mod:`~sozialraum.compute.store` writes all of it once
per data state; everything above reads that store and never the raw files. No HTML, no figure.
"""
