"""Property: random well-formed formulas parse, print back to the same AST, and evaluate without raising."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.engine.formula import NoValue, evaluate, parse, to_text

NAMES = ["a", "b", "c", "zero", "missing"]
numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False).map(
    lambda d: str(abs(d))
)
leaf = st.one_of(numbers, st.sampled_from(NAMES))


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    unary = children.map(lambda c: f"-{c}")
    calls = st.one_of(
        st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        children.map(lambda c: f"abs({c})"),
        st.tuples(
            children, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), children, children, children
        ).map(lambda t: f"if({t[0]} {t[1]} {t[2]}, {t[3]}, {t[4]})"),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: f"coalesce({', '.join(xs)})"),
    )
    return st.one_of(binary, unary, calls)


formulas = st.recursive(leaf, _combine, max_leaves=25)
ENV = {
    "a": Decimal("3.5"),
    "b": Decimal("-2"),
    "c": Decimal("1E+20"),
    "zero": Decimal(0),
    "missing": NoValue("no data yet"),
}


@settings(max_examples=300, deadline=None)
@given(formulas)
def test_random_formulas_evaluate_to_a_number_or_a_reason(text):
    node = parse(text)
    result = evaluate(node, ENV, period_days=30, period_months=1)
    assert isinstance(result, Decimal | NoValue)
    if isinstance(result, NoValue):
        assert result.reason


@settings(max_examples=200, deadline=None)
@given(formulas)
def test_random_formulas_print_back_to_the_same_meaning(text):
    node = parse(text)
    again = parse(to_text(node))
    assert evaluate(again, ENV) == evaluate(node, ENV)
