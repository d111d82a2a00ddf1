"""The explorer's three views as PNG bytes, drawn by the report's own figure functions.

The figures are those of ``report.figures`` (built on ``matplotlib.figure.Figure``, never pyplot, so
they can be drawn from the explorer's background thread), rendered small and fast for a panel
that is redrawn several times a second. Every function takes a History, finished or partial.
"""

from ..report import figures, metrics

DPI = 72


def curves_png(history, title=""):
    """Loss and error rate against epochs, training and test sets (``figures.run_curves``)."""
    return figures.png_bytes(figures.run_curves(history, title), DPI, fast=True)


def latent_png(history, labels):
    """The last latent snapshot (n_test, 2) of ``history``, coloured by the classes ``labels`` (n_test,), with
    the output layer's classes shaded behind it (``figures.latent_panel``)."""
    return figures.png_bytes(figures.latent_panel(history, labels), DPI, fast=True)


def confusion_png(history, labels):
    """Counts of the final test predictions against the true classes ``labels`` (n_test,)."""
    conf = metrics.confusion_matrix(labels, history.test_pred, len(history.class_names))
    title = f"test error {history.final_test_error:.1%}"
    return figures.png_bytes(figures.confusion_counts(conf, history.class_names, title), DPI, fast=True)
