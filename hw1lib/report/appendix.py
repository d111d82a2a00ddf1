"""The report's appendix, made when the report is built: the backpropagation equations, the
gradient check of every layer, and the code the answers rest on.

The equations are typeset by matplotlib's mathtext into images embedded in the page, so the HTML
and the PDF show them with nothing fetched from the network (no MathJax).
"""

import base64
import html
import inspect
import io

import nbformat
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..nn import activations, gradcheck, initializers, layers, network, optimizers
from ..runs import training
from .tables import styled_table

# (label, equation in mathtext) for one mini-batch of B images; rows of a matrix are images.
FORWARD = (
    ("hidden layer l", r"$z^{(l)} = a^{(l-1)}\,W^{(l)} + b^{(l)}, \qquad a^{(l)} = f\,(z^{(l)}), \qquad a^{(0)} = x$"),
    (
        "output",
        r"$p_{ik} = \dfrac{\exp z^{(L)}_{ik}}{\sum_j \exp z^{(L)}_{ij}}, \qquad "
        r"\mathcal{L} = -\dfrac{1}{B}\sum_{i=1}^{B} \log p_{i,y_i}$",
    ),
)
BACKWARD = (
    (
        "output error",
        r"$\delta^{(L)} = \dfrac{\partial \mathcal{L}}{\partial z^{(L)}} = \dfrac{1}{B}\,(p - Y)$"
        r"$\quad$ (Y: one-hot labels)",
    ),
    (
        "weights",
        r"$\dfrac{\partial \mathcal{L}}{\partial W^{(l)}} = a^{(l-1)\top} \delta^{(l)}, \qquad "
        r"\dfrac{\partial \mathcal{L}}{\partial b^{(l)}} = \sum_{i=1}^{B} \delta^{(l)}_{i}$",
    ),
    ("to the layer below", r"$\delta^{(l-1)} = \left(\delta^{(l)}\, W^{(l)\top}\right) \odot f\,'(z^{(l-1)})$"),
    (
        "activation slopes",
        r"$\sigma' = \sigma(1-\sigma), \quad \tanh' = 1-\tanh^2, \quad "
        r"\mathrm{ReLU}'(z) = [z>0], \quad \mathrm{leaky}'(z) = 1 \;\mathrm{or}\; 0.01$",
    ),
    (
        "SGD step",
        r"$W \leftarrow W - \eta\, \dfrac{\partial \mathcal{L}}{\partial W}; \qquad "
        r"\mathrm{momentum:}\;\; v \leftarrow \mu v - \eta\, \dfrac{\partial \mathcal{L}}{\partial W}, "
        r"\;\; W \leftarrow W + v$",
    ),
)

# The code behind the answers, in reading order: (module, names in it; None for the whole module).
SOURCES = (
    (layers, ("Dense", "SoftmaxCrossEntropy", "_exp_shifted")),
    (activations, ("Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Identity", "_copy")),
    (initializers, ("zero", "normal", "xavier", "he", "xavier_std", "he_std", "_gaussian")),
    (network, ("MLP.__init__", "MLP.forward", "MLP.loss", "MLP.backward")),
    (optimizers, ("SGD", "Momentum")),
    (training, ("epoch_updates", "Trainer.run", "Trainer.run_epoch")),
)


def equation_png(latex, fontsize=12, dpi=160):
    """One line of mathtext rendered tightly onto a transparent PNG (bytes)."""
    fig = Figure(figsize=(0.01, 0.01))
    FigureCanvasAgg(fig)
    fig.text(0, 0, latex, fontsize=fontsize)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.03, transparent=True)
    return buffer.getvalue()


def equations_html(rows, dpi=160):
    """An HTML table of (label, equation image) rows; each image shown at its size at 96 px per inch."""
    cells = []
    for label, latex in rows:
        png = equation_png(latex, dpi=dpi)
        width = _png_width(png) * 96 / dpi
        data = base64.b64encode(png).decode("ascii")
        cells.append(
            f'<tr><td>{html.escape(label)}</td><td><img class="hw1-equation" src="data:image/png;base64,'
            f'{data}" style="width: {width:.0f}px" alt="{html.escape(latex)}"></td></tr>'
        )
    return f'<table class="hw1-equations">{"".join(cells)}</table>'


def _png_width(png):
    """The pixel width stored in a PNG's header."""
    return int.from_bytes(png[16:20], "big")


def gradient_check_rows(activation_names=None, hidden=(5, 2)):
    """One row per layer and per whole network: the largest relative error between its backward pass
    and centred finite differences, in float64 (rows: dicts with 'part', 'gradients', 'error')."""
    names = sorted(activations.ACTIVATIONS) if activation_names is None else activation_names
    rows = [
        {"part": "Dense layer", "gradients": "x, W, b", "error": max(gradcheck.check_dense().values())},
        {
            "part": "softmax cross-entropy",
            "gradients": "logits",
            "error": max(gradcheck.check_softmax_cross_entropy().values()),
        },
    ]
    for name in names:
        rows.append({"part": f"{name} activation", "gradients": "x", "error": gradcheck.check_activation(name)["x"]})
    for name in names:
        errors = gradcheck.check_network(name, hidden)
        rows.append(
            {
                "part": f"7-{'-'.join(map(str, hidden))}-4 network, {name}",
                "gradients": ", ".join(errors),
                "error": max(errors.values()),
            }
        )
    errors = gradcheck.check_network("leaky_relu", hidden, last_activation="identity")
    rows.append(
        {
            "part": f"7-{'-'.join(map(str, hidden))}-4 network, leaky_relu then identity (a linear 2-unit layer)",
            "gradients": ", ".join(errors),
            "error": max(errors.values()),
        }
    )
    return rows


def gradient_check_table(rows):
    """``gradient_check_rows`` as a table, errors in scientific notation."""
    return styled_table(
        [
            {"part": r["part"], "gradients checked": r["gradients"], "largest relative error": f"{r['error']:.1e}"}
            for r in rows
        ]
    )


def source_excerpt(module, names):
    """The source of ``names`` (functions, classes or 'Class.method') of ``module``, or the whole module."""
    if names is None:
        return inspect.getsource(module).rstrip()
    parts = []
    for name in names:
        obj = module
        for attribute in name.split("."):
            obj = getattr(obj, attribute)
        source = inspect.getsource(obj)
        if "." in name:  # a method: its class's line, then the method as it is indented in the file
            source = f"class {name.split('.')[0]}:  # ...\n{source}"
        parts.append(source.rstrip())
    return "\n\n".join(parts)


def code_cells():
    """Markdown cells with the code the answers rest on, one per module."""
    cells = []
    for module, names in SOURCES:
        path = module.__name__.replace(".", "/") + ".py"
        shown = "" if names is None else f" ({', '.join(names)})"
        # The label is HTML so that the print stylesheet can keep it on the page of its code.
        cells.append(
            nbformat.v4.new_markdown_cell(
                f'<p class="hw1-code-label"><strong>{html.escape(path)}</strong>{html.escape(shown)}</p>\n\n'
                f"```python\n{source_excerpt(module, names)}\n```"
            )
        )
    return cells
