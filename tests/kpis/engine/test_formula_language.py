"""The formula language: precedence, functions, errors with positions, and no value instead of a crash."""

from decimal import Decimal as D

import pytest

from kpis.engine.formula import FormulaError, NoValue, evaluate, parse, to_text


def ev(text, **env):
    return evaluate(parse(text), {k: (D(str(v)) if v is not None else None) for k, v in env.items()})


def test_multiplication_binds_tighter_than_addition():
    assert ev("1 + 2 * 3") == D(7)
    assert ev("(1 + 2) * 3") == D(9)
    assert ev("10 - 4 - 3") == D(3)  # left-associative
    assert ev("12 / 3 / 2") == D(2)


def test_unary_minus_and_the_typographic_operators():
    assert ev("-a + 5", a=2) == D(3)
    assert ev("--a", a=2) == D(2)
    assert ev("a × b − c ÷ 2", a=3, b=4, c=6) == D(9)


def test_functions_min_max_abs_if_coalesce():
    assert ev("max(0, a - b)", a=1, b=5) == D(0)
    assert ev("min(a, b, 7)", a=9, b=8) == D(7)
    assert ev("abs(a - b)", a=1, b=5) == D(4)
    assert ev("if(a >= 10, 1, 2)", a=10) == D(1)
    assert ev("if(a != 10, 1, 2)", a=10) == D(2)
    assert ev("coalesce(missing, 5)", missing=None) == D(5)


def test_if_only_evaluates_the_branch_it_takes():
    assert ev("if(b > 0, a / b, 0)", a=1, b=0) == D(0)


def test_division_by_zero_gives_no_value_with_the_reason():
    result = ev("a / (b - c)", a=1, b=2, c=2)
    assert isinstance(result, NoValue)
    assert result.reason == "division by zero (b - c is 0)"


def test_a_missing_input_gives_no_value_naming_it():
    result = ev("a + b", a=1, b=None)
    assert isinstance(result, NoValue)
    assert result.reason == "b has no value"


def test_an_input_without_value_passes_its_reason_on():
    result = evaluate(parse("a * 2"), {"a": NoValue("no data yet")})
    assert result.reason == "a has no value (no data yet)"


def test_period_length_is_available_to_formulas():
    assert evaluate(parse("x / period_days * 7"), {"x": D(62)}, period_days=31) == D(14)


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("1 +", "The formula ends too early", 3),
        ("(a + b", "Expected ')', found end of formula", 6),
        ("a $ b", "Unexpected character '$'", 2),
        ("sqrt(a)", "Unknown function 'sqrt'", 0),
        ("a b", "Unexpected 'b'", 2),
        ("if(a, b)", "if() takes 3 argument(s), got 2", 0),
        ("a < b < c", "Comparisons cannot be chained", 6),
        ("", "The formula is empty", 0),
        ("max", "max() is a function", 0),
        ("target(1)", "target() takes a KPI slug", 0),
    ],
)
def test_syntax_errors_carry_their_position(text, message, position):
    with pytest.raises(FormulaError) as error:
        parse(text)
    assert error.value.message.startswith(message)
    assert error.value.position == position


def test_the_error_pointer_shows_where():
    with pytest.raises(FormulaError) as error:
        parse("a + * b")
    assert error.value.pointer() == "a + * b\n    ^"


def test_canonical_text_round_trips():
    for text in ["a - (b - c)", "a / (b * c)", "-(a + b) * 2", "if(a > 0, b, max(c, 1))"]:
        assert to_text(parse(text)) == text
