"""How the API reads hostile input: the default pagination (page size capped) and JSON parser (depth
bounded), set in `REST_FRAMEWORK`; the limits are in `config/limits.py`. A module of its own because DRF's
views import these classes while they load."""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from rest_framework import pagination, parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import get_encoding

from config.limits import API_MAX_OFFSET, API_MAX_PAGE_SIZE, JSON_MAX_DEPTH


class BoundedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=` is capped at `API_MAX_PAGE_SIZE` and `?offset=` at `API_MAX_OFFSET`: a huge number gets a
    bounded page, never a LIMIT or OFFSET the database cannot hold."""

    max_limit = API_MAX_PAGE_SIZE

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), API_MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": API_MAX_PAGE_SIZE})
                parameter["description"] = f"Number of results per page (at most {API_MAX_PAGE_SIZE})."
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update({"minimum": 0, "maximum": API_MAX_OFFSET})
        return parameters


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings do not count)."""
    brackets = _BRACKETS.sub("", _JSON_STRING.sub('""', text))
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[^\[\]{}]+")


class BoundedJSONParser(parsers.JSONParser):
    """The JSON parser of every endpoint: a body nested deeper than `JSON_MAX_DEPTH` is a 400, before the
    decoder (or a serializer) recurses into it."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        text = body.decode(get_encoding(parser_context or {}), errors="replace")
        if json_depth(text) > JSON_MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply (%(depth)s levels at most).")
                             % {"depth": JSON_MAX_DEPTH})
        return super().parse(io.BytesIO(body), media_type, parser_context)


_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_FIELD_ERRORS = {"type": "object", "additionalProperties": True,
                 "description": "Field name → list of messages, or `detail` for a body that cannot be read."}


def schema_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the errors every operation really answers.

    403 (the role lacks the capability), 404 (another tenant, or no such row) on every tenant route;
    400 wherever the client sends a body or query parameters (validation, bounds of config/limits.py)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            takes_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", []))
            if takes_input:
                responses.setdefault("400", {"description": "Invalid input.",
                                             "content": {"application/json": {"schema": _FIELD_ERRORS}}})
            for code, text in (("403", "The member's role lacks the capability."),
                               ("404", "No such organization for this member, or no such object in it.")):
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": _ERROR}}})
    return result
