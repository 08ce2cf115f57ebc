"""Formulas built to exhaust the stack or the decimal context are refused by the parser, at a position."""

import pytest

from config.limits import FORMULA_MAX_DEPTH, FORMULA_MAX_LENGTH, FORMULA_MAX_NUMBER_DIGITS
from kpis.engine.formula import FormulaError, evaluate, parse, to_text

HOSTILE = {
    "300 nested parentheses": "(" * 300 + "1" + ")" * 300,
    "max( nested 200 deep": "max(" * 200 + "1" + ")" * 200,
    "if( nested 200 deep": "if(" * 200 + "1" + ",1,1)" * 200,
    "1,999 unary minus signs": "-" * 1999 + "1",
    "a flat sum of 999 terms": "+".join(["1"] * 999),
    "a flat product of 999 terms": "*".join(["1"] * 999),
    "a literal of 1,999 nines": "9" * 1999,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_formula_raises_a_formula_error_with_a_position(text):
    with pytest.raises(FormulaError) as error:
        parse(text)
    assert error.value.position is not None and 0 <= error.value.position <= len(text)
    assert "^" in error.value.pointer()


def test_nesting_is_refused_one_level_past_the_limit_and_accepted_at_it():
    at_limit = "(" * (FORMULA_MAX_DEPTH - 1) + "-1" + ")" * (FORMULA_MAX_DEPTH - 1)
    assert str(evaluate(parse(at_limit), {})) == "-1"
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("(" * FORMULA_MAX_DEPTH + "-1" + ")" * FORMULA_MAX_DEPTH)


def test_a_chain_of_operations_counts_one_level_per_operation():
    chain = "+".join(["a"] * FORMULA_MAX_DEPTH)
    assert to_text(parse(chain)) == " + ".join(["a"] * FORMULA_MAX_DEPTH)
    with pytest.raises(FormulaError, match="nested too deeply") as error:
        parse(chain + " + a")
    assert error.value.position == len(chain) + 1  # the operator one past the limit


def test_a_number_may_have_24_digits_not_more():
    assert parse("9" * FORMULA_MAX_NUMBER_DIGITS)
    assert parse("1" * 12 + "." + "1" * 12)
    with pytest.raises(FormulaError, match="too long") as error:
        parse("2 * " + "9" * (FORMULA_MAX_NUMBER_DIGITS + 1))
    assert error.value.position == 4


def test_the_length_is_bounded():
    with pytest.raises(FormulaError, match="too long"):
        parse("a" * (FORMULA_MAX_LENGTH + 1))
