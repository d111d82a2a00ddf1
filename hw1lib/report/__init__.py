"""The homework report on top of the network: the runs each question needs (experiments), the
numbers read off them (metrics), figures, the prose (discussion, one module per question), and
the build that executes the notebooks and writes HTML and PDF (build, pdf)."""
