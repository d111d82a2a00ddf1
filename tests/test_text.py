"""The templates' machinery: a missing fact is an error, every string is escaped, paragraphs stay whole."""

import jinja2
import pytest

from hw1lib.errors import ConfigError
from hw1lib.report.text import filters, render
from hw1lib.report.text.render import _finalize, _paragraphs


def test_filters_write_numbers_and_lists():
    assert filters.percent(0.0542) == "5.4%" and filters.percent(float("nan")) == "n/a"
    assert filters.plural(1, "seed") == "1 seed" and filters.plural(3, "seed", words=True) == "three seeds"
    assert filters.plural(2, "class", many="classes") == "2 classes"
    assert filters.join(["a", "b", "c"]) == "a, b and c" and filters.join(["a"]) == "a"
    assert filters.points(-0.038) == "3.8 points" and filters.count(12000) == "12,000"


@pytest.mark.parametrize(
    "name", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "*bold* _it_", "[a](http://x)", "$$"]
)
def test_every_string_a_template_prints_is_escaped(name):
    printed = _finalize(name)
    assert "<" not in printed.replace("\\&lt;", "") and "*" not in printed.replace("\\*", "")
    assert "$" not in printed.replace("\\$", "") and "[" not in printed.replace("\\[", "")


def test_a_raw_float_is_refused_so_every_number_goes_through_a_filter():
    with pytest.raises(TypeError, match="format numbers with a filter"):
        _finalize(0.1234)
    assert _finalize(4000) == "4,000"


def test_missing_facts_and_unknown_blocks_are_errors():
    with pytest.raises(jinja2.UndefinedError):
        render("q2", "setup", {})
    with pytest.raises(ConfigError, match="has no block 'nothing'"):
        render("q2", "nothing", {})
    with pytest.raises(ConfigError, match="unknown language 'xx'; known: en"):
        render("q2", "setup", {}, lang="xx")


def test_paragraphs_join_lines_and_keep_lists():
    assert _paragraphs("a\nb\n\n\n\nc") == "a b\n\nc"
    assert _paragraphs("- one\n- two") == "- one\n- two"


def test_question_4s_filters_name_classes_probabilities_and_counts():
    assert filters.classes(["3"], True) == "class 3" and filters.classes(["4", "9"], True) == "classes 4 and 9"
    assert filters.classes(["Shirt", "Coat"], False) == "Shirt and Coat"
    assert filters.probability(0.9997) == ">99.9%" and filters.probability(0.0003) == "<0.1%"
    assert filters.probability(1.0) == "100.0%" and filters.probability(0.812) == "81.2%"
    assert filters.correlation(-0.3) == "\u22120.30" and filters.correlation(0.634) == "0.63"


def test_render_text_decodes_what_render_escaped_for_a_caption_that_escapes_itself():
    from hw1lib.report.text import render_text

    facts = {"data_name": "a_b: *c*", "n_test": 10, "network": "hidden 16, ReLU", "seed": 0, "has_mistakes": False}
    assert "&#" in render("q4", "caption_matrix", facts)
    assert "10 test images of a_b: *c*." in render_text("q4", "caption_matrix", facts)


def test_degrees_and_times_write_angles_and_ratios():
    assert filters.degrees(5.77) == "6°" and filters.degrees(0.4) == "0°"
    assert filters.times(3.75) == "3.8 times" and filters.times(12.04) == "12 times" and filters.times(1.0) == "once"
