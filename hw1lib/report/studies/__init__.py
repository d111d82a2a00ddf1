"""One object per question that holds its runs, labels and numbers.

A question's figures, tables, captions and prose all read the same study object, so the
initialiser, activation, stage or class a sentence names is the one the figure beside it draws.
"""
