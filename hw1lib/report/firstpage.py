"""The report's first page: title, author, the data in words, the answers at a glance, and one
table of every network the report trains.

Each notebook ends by publishing its question's line (``publish``): the answer in a sentence,
its key number, and the networks it trained, as a display output of its own MIME type. The
build collects these from the executed notebooks (``collect``), so the first page shows exactly
the settings the runs used and no process recomputes them; the static report drops the outputs
where they were published.
"""

from ..runs.config import display_name
from .escape import html_text, markdown_text

MIME = "application/vnd.hw1lib.summary+json"
NETWORK_COLUMNS = (
    "question",
    "network",
    "layers",
    "activations",
    "initialisation",
    "optimiser",
    "learning rate",
    "batch",
    "epochs",
    "inputs",
)


def network_row(question, role, config, n_inputs, n_classes):
    """The networks table's row (a dict of text) for ``config`` trained on n_inputs pixels into n_classes."""
    activation, latent = config.activation, getattr(config, "latent_activation", None)
    activations = display_name(activation)
    if latent and latent != activation:
        activations += f"; {display_name(latent)} 2-unit layer"
    return {
        "question": str(question),
        "network": role,
        "layers": "-".join(map(str, (n_inputs, *config.hidden, n_classes))),
        "activations": activations,
        "initialisation": config.init_label(),
        "optimiser": config.optimizer_label(),
        "learning rate": f"{config.lr:g}",
        "batch": str(config.batch_size),
        "epochs": f"{config.max_iterations} updates" if config.max_iterations else str(config.epochs),
        "inputs": "standardised" if config.normalize == "standardize" else "pixels / 255",
    }


def publish(question, topic, answer, key_number, networks, dataset, facts=None):
    """Display question ``question``'s line of the first page, for the build to collect.

    topic: what the question asks, in a few words; answer: one sentence; key_number: the number
    that backs it, as text; networks: [(role, RunConfig), ...] of every network the question trains;
    facts: the few facts of the question that the Conclusion words (numbers, booleans, enums, text),
    which the build hands to ``text/<lang>/conclusion.md.j2`` as ``q1``, ``q2``, ...
    """
    from IPython.display import display

    rows = [network_row(question, role, config, dataset.n_features, dataset.n_classes) for role, config in networks]
    payload = {
        "question": question,
        "topic": topic,
        "answer": answer,
        "key": key_number,
        "networks": rows,
        "facts": plain(facts or {}),
    }
    text = f"**At a glance.** {answer} ({key_number})"
    display({MIME: payload, "text/markdown": text}, raw=True)


def plain(value):
    """``value`` with NumPy scalars and tuples made plain JSON (float, int, bool, list); anything else
    that JSON cannot hold is an error naming it."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    raise TypeError(f"a published fact must be plain JSON, not {type(value).__name__}: {value!r}")


def collect(notebooks):
    """The published payloads of the executed ``notebooks``, in question order."""
    found = [
        output["data"][MIME]
        for notebook in notebooks
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", ())
        if MIME in output.get("data", {})
    ]
    return sorted(found, key=lambda payload: payload["question"])


def markdown(title, subtitle, author, student_id, data_line, summaries):
    """The first page as Markdown (with a little HTML for the title block); ``data_line`` is Markdown,
    the other text is escaped here."""
    parts = [f"# {markdown_text(title)}"]
    if subtitle:
        parts.append(f'<p class="hw1-subtitle">{html_text(subtitle)}</p>')
    who = [f"{label}: {html_text(value)}" for label, value in (("Author", author), ("Student ID", student_id)) if value]
    if who:
        parts.append(f'<p class="hw1-author">{" · ".join(who)}</p>')
    parts.append(f"**Data.** {data_line}")
    if summaries:
        parts.append(
            "## Results at a glance\n\n"
            + _table(
                ("question", "answer", "key number"),
                [(f"{s['question']}. {s['topic']}", s["answer"], s["key"]) for s in summaries],
            )
        )
        rows = merge_rows([row for s in summaries for row in s["networks"]])
        parts.append(
            '## Networks trained\n\n<div class="hw1-networks">\n\n'
            + _table(NETWORK_COLUMNS, [[row[c] for c in NETWORK_COLUMNS] for row in rows])
            + "\n\n</div>"
        )
    return "\n\n".join(parts)


def merge_rows(rows):
    """The networks table's rows, where rows of one question and one network that differ in a single
    setting become one row listing its values (e.g. the four initialisations compared in question 2)."""
    merged = []
    for row in rows:
        for other in merged:
            differ = [c for c in NETWORK_COLUMNS if other[c] != row[c]]
            if other["question"] == row["question"] and other["network"] == row["network"] and len(differ) == 1:
                column = differ[0]
                values = other[column].split(", ")
                if row[column] not in values:
                    other[column] = ", ".join([*values, row[column]])
                break
            if all(other[c] == row[c] for c in NETWORK_COLUMNS):
                break
        else:
            merged.append(dict(row))
    return merged


def _table(columns, rows):
    """A Markdown table; pipes inside cells are escaped."""

    def cell(value):
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
