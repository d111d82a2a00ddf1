"""Figure and table numbers per question, and captions that stay with what they describe."""

import pandas as pd
import pytest

from hw1lib.errors import ConfigError
from hw1lib.report.captions import Numbering, captioned, figure_html


def test_numbers_follow_the_declared_order_within_a_question():
    numbers = Numbering(3, figures=("stages", "separation"), tables=("stages",))
    assert numbers.figure("stages") == "Figure 3.1" and numbers.figure("separation") == "Figure 3.2"
    assert numbers.table("stages") == "Table 3.1"


def test_an_undeclared_key_is_an_error_that_lists_the_declared_ones():
    with pytest.raises(ConfigError, match="unknown figure 'curves' of question 1; declared: sweep, errors"):
        Numbering(1, figures=("sweep", "errors")).figure("curves")


def test_figure_html_keeps_image_and_escaped_caption_in_one_figure():
    text = figure_html(b"\x89PNG", "Figure 1.2", "loss < 1 & falling", 600, anchor="figure-q1")
    assert text.startswith('<figure class="hw1-figure" id="figure-q1"><img src="data:image/png;base64,')
    assert "<figcaption><b>Figure 1.2.</b> loss &lt; 1 &amp; falling</figcaption></figure>" in text


def test_tables_get_their_caption_above():
    html = captioned(pd.DataFrame({"a": [1]}), "Table 4.1", "Errors per class").to_html()
    assert "<caption><b>Table 4.1.</b> Errors per class</caption>" in html
