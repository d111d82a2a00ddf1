"""The first page: each question's published line collected into the tables, and tagged cells
moved to the appendix."""

import nbformat

from hw1lib.report import build, firstpage
from hw1lib.runs.config import RunConfig


def published(question, answer, networks):
    """A code cell whose output is what ``firstpage.publish`` displays."""
    payload = {
        "question": question,
        "topic": f"topic {question}",
        "answer": answer,
        "key": f"{question}.0%",
        "networks": [firstpage.network_row(question, role, config, 784, 10) for role, config in networks],
    }
    cell = nbformat.v4.new_code_cell("publish(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={firstpage.MIME: payload, "text/markdown": answer})]
    return cell


def test_network_row_names_what_was_trained():
    row = firstpage.network_row(
        3, "latent", RunConfig(hidden=(256, 2), activation="leaky_relu", normalize="standardize", lr=0.1), 784, 10
    )
    assert row["layers"] == "784-256-2-10" and row["activations"] == "leaky ReLU"
    assert row["initialisation"] == "He" and row["inputs"] == "standardised"
    assert (row["optimiser"], row["learning rate"], row["batch"], row["epochs"]) == ("SGD", "0.1", "32", "10")
    stopped = firstpage.network_row(1, "first try", RunConfig(init="normal", max_iterations=100), 784, 10)
    assert stopped["initialisation"] == "normal (std 0.01)" and stopped["epochs"] == "100 updates"


def test_collected_lines_are_in_question_order_and_make_both_tables():
    notebooks = [
        nbformat.v4.new_notebook(cells=[published(2, "Zero fails.", [("zero", RunConfig(init="zero"))])]),
        nbformat.v4.new_notebook(
            cells=[published(1, "ReLU wins.", [("main", RunConfig()), ("sigmoid", RunConfig(activation="sigmoid"))])]
        ),
    ]
    summaries = firstpage.collect(notebooks)
    assert [s["question"] for s in summaries] == [1, 2]
    page = firstpage.markdown("Title", "", "A. Student", "", "the data", summaries)
    assert page.index("ReLU wins.") < page.index("Zero fails.")
    assert page.count("| 784-256-10 |") == 3 and "Author: A. Student" in page and "Student ID" not in page


def test_static_report_drops_the_published_outputs_and_moves_appendix_cells():
    first = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# 1. Question one"),
            published(1, "Answer.", [("main", RunConfig())]),
            nbformat.v4.new_markdown_cell("## Appendix part of question one", metadata={"tags": ["appendix"]}),
        ]
    )
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 2. Question two")])
    merged = build.merge([first, second], _tiny_dataset(), {"seed": 0}, "Title", "", 1.0)
    sources = [cell.source for cell in merged.cells]
    assert sources.index("# 2. Question two") < sources.index("## Appendix part of question one")
    assert "Results at a glance" in sources[0]
    html = build.export_html(merged)
    assert html.count("Answer.") == 1  # on the first page, not where it was published


def _tiny_dataset():
    import numpy as np

    from hw1lib.data.datasets import Dataset

    rng = np.random.default_rng(0)
    return Dataset(
        "tiny",
        rng.random((20, 784), dtype=np.float32),
        np.arange(20) % 10,
        rng.random((10, 784), dtype=np.float32),
        np.arange(10),
        tuple("0123456789"),
        "f" * 64,
    )


def test_rows_that_differ_in_one_setting_are_listed_once():
    rows = [
        firstpage.network_row(2, "sigmoid network", RunConfig(activation="sigmoid", init=init), 784, 10)
        for init in ("zero", "normal", "xavier", "he")
    ]
    rows.append(firstpage.network_row(2, "ReLU network", RunConfig(init="zero"), 784, 10))
    rows.append(dict(rows[-1]))  # the same network twice is one row
    merged = firstpage.merge_rows(rows)
    assert len(merged) == 2
    assert merged[0]["initialisation"] == "zero, normal (std 0.01), Xavier, He"
