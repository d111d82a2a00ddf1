"""Figures of the report, one module per question on a shared style. Each function takes finished
histories, arrays or a question's study object and returns a matplotlib Figure; nothing here trains.
"""

from .confusion import (
    confusion_counts,
    confusion_matrix_figure,
    misclassified_gallery,
    pair_colors,
    per_class_error_bars,
)
from .curves import error_curves, first_attempt_curves, learning_curves, run_curves
from .initialization import activation_heatmaps, init_comparison, symmetry_curves
from .latent import folded_comparison, latent_grid, latent_panel, save_latent_animation
from .style import DPI, class_colors, png_bytes, save_figure, series_color, show, show_animation

__all__ = [
    "DPI",
    "activation_heatmaps",
    "class_colors",
    "confusion_counts",
    "confusion_matrix_figure",
    "error_curves",
    "first_attempt_curves",
    "folded_comparison",
    "init_comparison",
    "latent_grid",
    "latent_panel",
    "learning_curves",
    "misclassified_gallery",
    "pair_colors",
    "per_class_error_bars",
    "png_bytes",
    "run_curves",
    "save_figure",
    "save_latent_animation",
    "series_color",
    "show",
    "show_animation",
    "symmetry_curves",
]
