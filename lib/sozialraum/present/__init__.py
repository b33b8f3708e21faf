"""Stage 3, present: numbers become maps, charts, tables and sentences.

Takes the frames of stage 2 and hands on pieces of a page: figures as inline SVG (map kinds,
label placement, charts), tables and sections rendered from Jinja2 templates with autoescape
(free text from the public is escaped there, in one place) and the narrative sentences from
``templates/narrative``. Knows nothing of notebooks, kernels or files of the batch.
"""
