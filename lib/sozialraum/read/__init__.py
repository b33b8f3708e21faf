"""Stage 1, read: a city's published files, as they are, into checked tables.

Takes the config and the files it names (CSV, XLSX, JSON, geometries; any encoding, sentinel,
column names or wide layout the config describes) and hands on ``Inputs``: tables in the
package's own column names, checked against the data contracts, with every problem as one
German message (file, row, column, value, what was expected). Nothing here computes an index.
"""
