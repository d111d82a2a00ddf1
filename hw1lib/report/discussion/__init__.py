"""The report's prose and tables, written from the runs: every number in them is computed here.

One module per question (models, initialization, latent, confusion), one function per paragraph,
and words, how numbers and lists are written. Each ``*_text`` function returns Markdown (a
notebook shows it with ``IPython.display.Markdown``); each ``*_table`` function returns a pandas
Styler (or, for question 2's two-level columns, a DataFrame) of formatted values. Sentences that
depend on a result (which model is better, whether the units stayed identical) are chosen by it.
"""
