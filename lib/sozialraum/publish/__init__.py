"""Stage 4, publish: reports as notebooks, notebooks as pages, pages as a batch.

Takes the prepared store and the pieces of stage 3 and hands on files: the report sections a
notebook calls (:mod:`~sozialraum.publish.sozialraumbericht`, ``gesamtstadtbericht``), the
notebook engine (warm kernels), the HTML export through nbconvert, PDF, the index page, and
the batch that renders what changed, in parallel, atomically, with evidence of every failure.
"""
