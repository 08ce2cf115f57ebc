"""The KPI formula language: a tiny, safe expression language parsed to an AST by our own parser.

Grammar (lowest precedence first)::

    expr       := comparison
    comparison := additive (("<" | "<=" | ">" | ">=" | "==" | "!=") additive)?
    additive   := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | "+" unary | primary
    primary    := NUMBER | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"

Functions: min(a, b, …), max(a, b, …), abs(a), if(cond, a, b), coalesce(a, b, …) (the first input
that has a value), target(kpi_slug) (the target of that KPI for the period). Reserved names:
`period_days` and `period_months` (length of the period being computed). Other names are
references to metrics or KPIs by slug. Nothing is ever passed to `eval`.

Evaluation never raises: a division by zero, a missing input or an unknown name gives a
`NoValue` carrying the reason. Parsing raises `FormulaError` with the 0-based position, also for a
formula beyond the limits of `config.limits` (length, nesting depth, digits in a number), so that
nothing downstream (evaluation, printing, formatting) meets a tree deep enough to exhaust the stack.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from config.limits import FORMULA_MAX_DEPTH, FORMULA_MAX_LENGTH, FORMULA_MAX_NUMBER_DIGITS

RESERVED = frozenset({"period_days", "period_months"})
FUNCTIONS = {
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "if": (3, 3),
    "coalesce": (1, None),
    "target": (1, 1),
}
# A metric's `value` expression reads a record's fields; hours()/days() turn a date difference into a number.
VALUE_FUNCTIONS = {"min": (1, None), "max": (1, None), "abs": (1, 1), "hours": (1, 1), "days": (1, 1)}
COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CONTEXT = decimal.Context(prec=28, Emax=10**6, Emin=-(10**6))


class FormulaError(ValueError):
    """A formula that cannot be parsed, or that refers to something that does not exist."""

    def __init__(self, message: str, position: int | None = None, text: str = ""):
        self.message = message
        self.position = position
        self.text = text
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message}{where}")

    def pointer(self) -> str:
        """The formula with a caret under the error (for the editor's live validation)."""
        if self.position is None or not self.text:
            return self.text
        return f"{self.text}\n{' ' * self.position}^"


# --- AST -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: Decimal
    pos: int = 0


@dataclass(frozen=True)
class Ref:
    name: str
    pos: int = 0


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node
    pos: int = 0


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    pos: int = 0


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    pos: int = 0


Node = Num | Ref | Unary | Binary | Call


# --- tokenizer -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|==|!=|[-+*/(),<>×÷−]))"
)
_NORMALISE = {"×": "*", "÷": "/", "−": "-"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # num | name | op | end
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    tokens, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise FormulaError(f"Unexpected character {text[i]!r}", i, text)
        kind = m.lastgroup
        value = m.group(kind)
        start = m.start(kind)
        tokens.append(_Tok(kind, _NORMALISE.get(value, value), start))
        i = m.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


# --- parser ----------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, functions: Mapping[str, tuple] = FUNCTIONS):
        self.text = text
        self.functions = functions
        self.tokens = _tokenize(text)
        self.i = 0
        self.nesting = 0  # parentheses, calls and signs the recursive descent is inside
        self.depths: dict[int, int] = {}  # id(node) → height of its subtree (leaves are 1)

    def enter(self, pos: int) -> None:
        self.nesting += 1
        if self.nesting > FORMULA_MAX_DEPTH:
            raise self.too_deep(pos)

    def leave(self) -> None:
        self.nesting -= 1

    def too_deep(self, pos: int) -> FormulaError:
        return self.error(f"The formula is nested too deeply ({FORMULA_MAX_DEPTH} levels at most)", pos)

    def built(self, node: Node, *children: Node) -> Node:
        """Records the new node's height; a chain of operations counts one level per operation."""
        depth = 1 + max((self.depths.get(id(c), 1) for c in children), default=0)
        if depth > FORMULA_MAX_DEPTH:
            raise self.too_deep(node.pos)
        self.depths[id(node)] = depth
        return node

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def error(self, message: str, pos: int | None = None) -> FormulaError:
        return FormulaError(message, self.tok.pos if pos is None else pos, self.text)

    def take(self, text: str | None = None) -> _Tok:
        tok = self.tok
        if text is not None and tok.text != text:
            found = "end of formula" if tok.kind == "end" else repr(tok.text)
            raise self.error(f"Expected {text!r}, found {found}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("The formula is empty")
        node = self.comparison()
        if self.tok.kind != "end":
            raise self.error(f"Unexpected {self.tok.text!r}")
        return node

    def comparison(self) -> Node:
        left = self.additive()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.take()
            right = self.additive()
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise self.error("Comparisons cannot be chained")
            return self.built(Binary(op.text, left, right, op.pos), left, right)
        return left

    def additive(self) -> Node:
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take()
            right = self.term()
            node = self.built(Binary(op.text, node, right, op.pos), node, right)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            op = self.take()
            right = self.unary()
            node = self.built(Binary(op.text, node, right, op.pos), node, right)
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take()
            self.enter(op.pos)
            operand = self.unary()
            self.leave()
            return operand if op.text == "+" else self.built(Unary("-", operand, op.pos), operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            if sum(ch.isdigit() for ch in tok.text) > FORMULA_MAX_NUMBER_DIGITS:
                raise self.error(f"This number is too long ({FORMULA_MAX_NUMBER_DIGITS} digits at most)", tok.pos)
            self.take()
            return Num(Decimal(tok.text), tok.pos)
        if tok.kind == "name":
            self.take()
            if self.tok.text == "(":
                return self.call(tok)
            if tok.text in self.functions:
                raise self.error(f"{tok.text}() is a function: add its arguments in parentheses", tok.pos)
            return Ref(tok.text, tok.pos)
        if tok.text == "(":
            self.take()
            self.enter(tok.pos)
            node = self.comparison()
            self.leave()
            self.take(")")
            return node
        if tok.kind == "end":
            raise self.error("The formula ends too early")
        raise self.error(f"Unexpected {tok.text!r}")

    def call(self, name_tok: _Tok) -> Node:
        name = name_tok.text.lower()
        if name not in self.functions:
            allowed = ", ".join(sorted(self.functions))
            raise self.error(f"Unknown function {name_tok.text!r} (allowed: {allowed})", name_tok.pos)
        self.take("(")
        self.enter(name_tok.pos)
        args = []
        if self.tok.text != ")":
            args.append(self.comparison())
            while self.tok.text == ",":
                self.take()
                args.append(self.comparison())
        self.leave()
        self.take(")")
        low, high = self.functions[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = str(low) if low == high else f"at least {low}"
            raise self.error(f"{name}() takes {expected} argument(s), got {len(args)}", name_tok.pos)
        if name == "target" and not isinstance(args[0], Ref):
            raise self.error("target() takes a KPI slug", name_tok.pos)
        return self.built(Call(name, tuple(args), name_tok.pos), *args)


def parse(text: str, *, functions: Mapping[str, tuple] = FUNCTIONS) -> Node:
    """Parse a formula to its AST, or raise FormulaError with the position of the problem."""
    if len(text) > FORMULA_MAX_LENGTH:
        raise FormulaError(f"The formula is too long ({FORMULA_MAX_LENGTH} characters at most)",
                           FORMULA_MAX_LENGTH, text)
    return _Parser(text, functions).parse()


def parse_value_expression(text: str) -> Node:
    """Parse a metric's `value` expression (field names, + - * /, min, max, abs, hours, days)."""
    return parse(text, functions=VALUE_FUNCTIONS)


# --- analysis ------------------------------------------------------------------------------------


def references(node: Node) -> set[str]:
    """Slugs of the metrics and KPIs the formula reads (reserved names and target() arguments excluded)."""
    found: set[str] = set()

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            if n.name not in RESERVED:
                found.add(n.name)
        elif isinstance(n, Unary):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            if n.name != "target":
                for a in n.args:
                    walk(a)

    walk(node)
    return found


def target_references(node: Node) -> set[str]:
    found: set[str] = set()

    def walk(n: Node) -> None:
        if isinstance(n, Unary):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            if n.name == "target":
                found.add(n.args[0].name)
            else:
                for a in n.args:
                    walk(a)

    walk(node)
    return found


def reference_positions(node: Node) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            if n.name not in RESERVED:
                out.append((n.name, n.pos))
        elif isinstance(n, Unary):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)

    walk(node)
    return out


def check_references(text: str, known: set[str]) -> Node:
    """Parse and make sure every referenced slug is known; raise FormulaError at the first unknown one."""
    node = parse(text)
    for name, pos in reference_positions(node):
        if name not in known:
            raise FormulaError(f"Unknown metric or KPI {name!r}", pos, text)
    return node


_PREC = {"<": 0, "<=": 0, ">": 0, ">=": 0, "==": 0, "!=": 0, "+": 1, "-": 1, "*": 2, "/": 2}


def to_text(node: Node) -> str:
    """Canonical text of an AST (minimal parentheses); parse(to_text(n)) == n up to positions."""
    if isinstance(node, Num):
        return format(node.value, "f")
    if isinstance(node, Ref):
        return node.name
    if isinstance(node, Unary):
        inner = to_text(node.operand)
        return f"-{inner}" if isinstance(node.operand, (Num, Ref, Call)) else f"-({inner})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_text(a) for a in node.args)})"
    p = _PREC[node.op]
    left = to_text(node.left)
    right = to_text(node.right)
    if isinstance(node.left, Binary) and _PREC[node.left.op] < p:
        left = f"({left})"
    if isinstance(node.right, Binary) and (_PREC[node.right.op] <= p):
        right = f"({right})"
    return f"{left} {node.op} {right}"


# --- evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoValue:
    reason: str

    def __bool__(self) -> bool:
        return False


Result = Decimal | NoValue
Lookup = Callable[[str], "Decimal | NoValue | None"]


class _Stop(Exception):
    def __init__(self, no_value: NoValue):
        self.no_value = no_value


def evaluate(
    node: Node,
    env: Mapping[str, Decimal | NoValue | None],
    *,
    targets: Mapping[str, Decimal | None] | None = None,
    period_days: int | None = None,
    period_months: int | None = None,
) -> Result:
    """Evaluate an AST against input values; never raises. Missing inputs and arithmetic errors give NoValue."""
    targets = targets or {}

    def value_of(name: str) -> Decimal:
        if name == "period_days":
            if period_days is None:
                raise _Stop(NoValue("period length unknown"))
            return Decimal(period_days)
        if name == "period_months":
            if period_months is None:
                raise _Stop(NoValue("period length unknown"))
            return Decimal(period_months)
        if name not in env:
            raise _Stop(NoValue(f"unknown input {name}"))
        v = env[name]
        if v is None:
            raise _Stop(NoValue(f"{name} has no value"))
        if isinstance(v, NoValue):
            raise _Stop(NoValue(f"{name} has no value ({v.reason})"))
        return Decimal(v)

    def ev(n: Node) -> Decimal:
        if isinstance(n, Num):
            return n.value
        if isinstance(n, Ref):
            return value_of(n.name)
        if isinstance(n, Unary):
            return -ev(n.operand)
        if isinstance(n, Binary):
            a, b = ev(n.left), ev(n.right)
            op = n.op
            if op == "+":
                return _CONTEXT.add(a, b)
            if op == "-":
                return _CONTEXT.subtract(a, b)
            if op == "*":
                return _CONTEXT.multiply(a, b)
            if op == "/":
                if b == 0:
                    raise _Stop(NoValue(f"division by zero ({to_text(n.right)} is 0)"))
                return _CONTEXT.divide(a, b)
            return Decimal(1) if _compare(op, a, b) else Decimal(0)
        if isinstance(n, Call):
            if n.name == "if":
                return ev(n.args[1]) if ev(n.args[0]) != 0 else ev(n.args[2])
            if n.name == "coalesce":
                reasons = []
                for a in n.args:
                    try:
                        return ev(a)
                    except _Stop as stop:
                        reasons.append(stop.no_value.reason)
                raise _Stop(NoValue("; ".join(reasons)))
            if n.name == "target":
                slug = n.args[0].name
                t = targets.get(slug)
                if t is None:
                    raise _Stop(NoValue(f"no target set for {slug}"))
                return Decimal(t)
            values = [ev(a) for a in n.args]
            if n.name == "min":
                return min(values)
            if n.name == "max":
                return max(values)
            return abs(values[0])
        raise _Stop(NoValue(f"cannot evaluate {type(n).__name__}"))

    try:
        return ev(node)
    except _Stop as stop:
        return stop.no_value
    except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
        return NoValue("arithmetic overflow")
    except RecursionError:
        return NoValue("formula nested too deeply")


def _compare(op: str, a: Decimal, b: Decimal) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]


# --- dependency order and cycles ---------------------------------------------------------------------


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle in a dependency graph (node → the nodes it reads) as [a, b, …, a], or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        colour[n] = GREY
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if m not in graph:
                continue
            if colour[m] == GREY:
                return [*stack[stack.index(m) :], m]
            if colour[m] == WHITE:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        colour[n] = BLACK
        return None

    for n in sorted(graph):
        if colour[n] == WHITE:
            found = visit(n)
            if found:
                return found
    return None


def topological_order(graph: Mapping[str, set[str]]) -> list[str]:
    """Nodes so that each comes after the nodes it reads (ignoring names outside the graph)."""
    order: list[str] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(n: str) -> None:
        if n in done:
            return
        if n in visiting:
            cycle = find_cycle(graph) or [n, n]
            raise FormulaError(f"Circular reference: {' → '.join(cycle)}")
        visiting.add(n)
        for m in sorted(graph.get(n, ())):
            if m in graph:
                visit(m)
        visiting.discard(n)
        done.add(n)
        order.append(n)

    for n in sorted(graph):
        visit(n)
    return order
