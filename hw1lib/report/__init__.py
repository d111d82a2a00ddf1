"""The homework report on top of the network: the runs each question needs (experiments), the
facts read off them (studies, metrics), figures, the prose (text: Jinja templates over the facts,
one per question and language), and the build that executes the notebooks and writes HTML and PDF
(build, pdf)."""
