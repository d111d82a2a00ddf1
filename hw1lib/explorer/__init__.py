"""The interactive explorer for JupyterLab: controls that retrain the network and redraw its views.

    from hw1lib.explorer import explore
    explore()                          # mnist-5k, the default settings

widgets (controls and wiring), runner (background runs, the newest wins), plots (its views as
PNGs, drawn by the report's figure functions) and latency (how fast a change shows).
"""

from .widgets import Explorer, explore

__all__ = ["Explorer", "explore"]
