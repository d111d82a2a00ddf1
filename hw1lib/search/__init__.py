"""Choosing hyperparameters on a validation split: the parallel random search (sweep) and its
result as tables, a figure and a paragraph (tables)."""
