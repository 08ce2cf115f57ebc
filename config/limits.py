"""The bounds on what users and API clients may send: one place for each limit (issue #9, hostile input).

Every limit here is enforced where the input enters (forms, serializers, the JSON parser, the formula
parser) and again in the services, with a message the user can read; none of them is a setting,
because a deployment has no reason to loosen them. Plain constants, so the pure engine can read them.
"""

# KPI formulas (kpis/engine/formula.py): characters, nesting (parentheses, function calls, signs and
# chained operations all count one level) and digits in one number.
FORMULA_MAX_LENGTH = 2000
FORMULA_MAX_DEPTH = 64
FORMULA_MAX_NUMBER_DIGITS = 24

# API lists (accounts.api_input.BoundedLimitOffsetPagination): `?limit=` above this gets this many
# (the default page is REST_FRAMEWORK["PAGE_SIZE"], 50); an offset past the end is an empty page.
API_MAX_PAGE_SIZE = 200
API_MAX_OFFSET = 1_000_000_000

# Dates of periods, objectives and the `?month=` / `start` / `end` / `period` parameters.
PERIOD_YEAR_MIN = 1970
PERIOD_YEAR_MAX = 2100

# JSON bodies (accounts.api_input.BoundedJSONParser): arrays and objects nested deeper are refused.
JSON_MAX_DEPTH = 20

# Free text typed by users: check-in notes, descriptions, review decisions, KPI notes.
TEXT_MAX_LENGTH = 5000
