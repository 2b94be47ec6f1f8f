"""Semantic diff of an upstream OpenAPI document against our SIM Integrations fragment.

``python -m scripts.spec_diff UPSTREAM [--ours PATH]`` reads the upstream document (YAML or
JSON; the whole beta API or just these paths), keeps the operations under
``/sim-integrations`` and what they reference, and compares them with
``openapi/sim-integrations.beta.yaml``: operations, parameters, request and response media
types, headers and fields, required sets, types, formats, nullability, enum values, readOnly,
constraints and security. ``$ref`` is resolved and ``allOf`` merged, so names do not matter.

Each difference is marked with the deviation id of the ``x-sim-client-deviation`` note that
covers it (see openapi/README.md, "How the notes are read") or as **new**. Exit status: 0 when
nothing is new, 1 otherwise, 2 when a document cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "openapi" / "sim-integrations.beta.yaml"
PATH_PREFIX = "/sim-integrations"
METHODS = ("get", "put", "post", "delete", "patch")
NOTE = "x-sim-client-deviation"
_ID = re.compile(r"\b(D\d+)\b")
# Values compared at each schema node, in the order they are reported.
VALUE_KEYS = (
    "type",
    "format",
    "nullable",
    "enum",
    "readOnly",
    "minLength",
    "pattern",
    "minItems",
    "oneOf",
)

Json = dict[str, Any]


@dataclass(frozen=True)
class Difference:
    """One difference: where, what, and the deviation that covers it (None: new)."""

    where: str
    what: str
    deviation: str | None

    def line(self) -> str:
        mark = self.deviation or "**new**"
        return f"[{mark}] {self.where}: {self.what}"


@dataclass
class Node:
    """A schema with ``$ref`` resolved and ``allOf`` merged."""

    values: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, list[Any]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: list[Any] = field(default_factory=list)
    additional: list[Any] = field(default_factory=list)
    """Schemas of ``additionalProperties``; empty when it is true or absent."""
    notes: list[str] = field(default_factory=list)


class Document:
    """An OpenAPI document and the ``$ref`` resolution within it."""

    def __init__(self, data: Json) -> None:
        self.data = data
        self.reached: set[str] = set()
        """Every ``$ref`` resolved so far."""

    def resolve(self, value: Any) -> Any:
        seen = set()
        while isinstance(value, Mapping) and "$ref" in value:
            ref = value["$ref"]
            if ref in seen or not isinstance(ref, str) or not ref.startswith("#/"):
                raise ValueError(f"cannot resolve $ref {ref!r}")
            seen.add(ref)
            self.reached.add(ref)
            value = self.data
            for part in ref[2:].split("/"):
                value = value[part.replace("~1", "/").replace("~0", "~")]
        return value

    def notes_of(self, value: Any) -> list[str]:
        """The notes on ``value`` and on every object its ``$ref`` chain passes through (on
        each of them, for a list of schemas that all apply)."""
        if isinstance(value, list):
            return [note for item in value for note in self.notes_of(item)]
        notes = []
        while True:
            if isinstance(value, Mapping) and isinstance(value.get(NOTE), str):
                notes.append(value[NOTE])
            if not (isinstance(value, Mapping) and "$ref" in value):
                return notes
            value = self.resolve({"$ref": value["$ref"]})

    def node(self, schemas: list[Any]) -> Node:
        """Merge ``schemas`` (all of which apply) into one node."""
        node = Node()
        pending = list(schemas)
        while pending:
            raw = pending.pop(0)
            node.notes += self.notes_of(raw)
            schema = self.resolve(raw)
            if not isinstance(schema, Mapping):
                continue
            pending += list(schema.get("allOf", []))
            for key in VALUE_KEYS:
                if key in schema and key not in node.values:
                    node.values[key] = self._value(key, schema[key])
            for name, prop in (schema.get("properties") or {}).items():
                node.properties.setdefault(name, []).append(prop)
            node.required |= set(schema.get("required", []))
            if "items" in schema:
                node.items.append(schema["items"])
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                node.additional.append(extra)
        if "type" not in node.values and node.properties:
            node.values["type"] = "object"
        node.values.setdefault("nullable", False)
        node.values.setdefault("readOnly", False)
        return node

    def _value(self, key: str, value: Any) -> Any:
        if key == "enum":
            return sorted(json.dumps(v) for v in value)
        if key == "oneOf":
            return sorted(self.summary(branch) for branch in value)
        return value

    def summary(self, raw: Any) -> str:
        """A one-line description of a schema's shape, for comparing ``oneOf`` branches."""
        schema = self.resolve(raw)
        if not isinstance(schema, Mapping):
            return "any"
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                return "|".join(sorted(self.summary(b) for b in schema[combinator]))
        kind = str(schema.get("type", "object" if "properties" in schema else "any"))
        if kind == "array":
            return f"array<{self.summary(schema.get('items', {}))}>"
        return kind


# --- attribution ---


def _segments(notes: list[str]) -> list[tuple[str, str]]:
    """Each deviation id in ``notes`` with the text of its own sentence(s)."""
    found = []
    for note in notes:
        marks = list(_ID.finditer(note))
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(note)
            found.append((mark.group(1), note[mark.start() : end]))
    return found


def covering_value(notes: list[str], key: str) -> str | None:
    """The id covering a value difference at a node with ``notes``: the one whose text names
    ``key`` in backquotes, else the first."""
    segments = _segments(notes)
    for deviation, text in segments:
        if f"`{key}`" in text:
            return deviation
    return segments[0][0] if segments else None


def covering_element(own: list[str], parent: list[str], name: str) -> str | None:
    """The id covering an element present on one side only: its own note, or a note on its
    parent that names it in backquotes."""
    if own_segments := _segments(own):
        return own_segments[0][0]
    for deviation, text in _segments(parent):
        if f"`{name}`" in text:
            return deviation
    return None


# --- comparison ---


class Differ:
    def __init__(self, upstream: Document, ours: Document) -> None:
        self.up = upstream
        self.ours = ours
        self.found: list[Difference] = []

    def value(self, where: str, key: str, up: Any, ours: Any, notes: list[str]) -> None:
        if up != ours:
            what = f"{key}: upstream {_show(up)}, ours {_show(ours)}"
            self.found.append(Difference(where, what, covering_value(notes, key)))

    def element(
        self,
        where: str,
        kind: str,
        name: str,
        side: str,
        own: list[str],
        parent: list[str],
    ) -> None:
        what = f"{kind} `{name}` only {side}"
        self.found.append(Difference(where, what, covering_element(own, parent, name)))

    def elements(
        self,
        where: str,
        kind: str,
        up: Mapping[str, Any],
        ours: Mapping[str, Any],
        parent: list[str],
    ) -> list[str]:
        """Report names on one side only; return the names on both, in order."""
        for name in up:
            if name not in ours:
                self.element(where, kind, name, "upstream", [], parent)
        for name in ours:
            if name not in up:
                self.element(where, kind, name, "ours", self.ours.notes_of(ours[name]), parent)
        return [name for name in ours if name in up]

    def schema(self, where: str, up_raw: list[Any], ours_raw: list[Any]) -> None:
        up = self.up.node(up_raw)
        ours = self.ours.node(ours_raw)
        for key in VALUE_KEYS:
            self.value(where, key, up.values.get(key), ours.values.get(key), ours.notes)
        if up.values.get("type") != ours.values.get("type"):
            return  # the shapes differ; what is inside them cannot be compared
        for name in sorted(up.required ^ ours.required):
            side = "upstream" if name in up.required else "ours"
            self.element(where, "required", name, side, [], ours.notes)
        for name in self.elements(where, "field", up.properties, ours.properties, ours.notes):
            self.schema(f"{where}.{name}", up.properties[name], ours.properties[name])
        if up.items and ours.items:
            self.schema(f"{where}[]", up.items, ours.items)
        if up.additional and ours.additional:
            self.schema(f"{where}{{}}", up.additional, ours.additional)
        elif up.additional or ours.additional:
            up_shape = self.up.summary(up.additional[0]) if up.additional else "any"
            ours_shape = self.ours.summary(ours.additional[0]) if ours.additional else "any"
            self.value(where, "additionalProperties", up_shape, ours_shape, ours.notes)

    def content(
        self, where: str, up: Mapping[str, Any], ours: Mapping[str, Any], notes: list[str]
    ) -> None:
        for media in self.elements(where, "media type", up, ours, notes):
            up_schema = up[media].get("schema", {})
            ours_schema = ours[media].get("schema", {})
            self.schema(f"{where} {media}", [up_schema], [ours_schema])

    def operation(self, where: str, up: Operation, ours: Operation) -> None:
        up_params = up.parameters(self.up)
        ours_params = ours.parameters(self.ours)
        for key in self.elements(where, "parameter", up_params, ours_params, ours.notes):
            up_param = self.up.resolve(up_params[key])
            ours_param = self.ours.resolve(ours_params[key])
            notes = self.ours.notes_of(ours_params[key])
            self.value(
                f"{where} {key}",
                "required",
                bool(up_param.get("required")),
                bool(ours_param.get("required")),
                notes,
            )
            self.schema(
                f"{where} {key}", [up_param.get("schema", {})], [ours_param.get("schema", {})]
            )
        up_body = self.up.resolve(up.raw.get("requestBody") or {})
        ours_body = self.ours.resolve(ours.raw.get("requestBody") or {})
        self.value(
            f"{where} request",
            "required",
            bool(up_body.get("required")),
            bool(ours_body.get("required")),
            ours.notes,
        )
        self.content(
            f"{where} request",
            up_body.get("content") or {},
            ours_body.get("content") or {},
            ours.notes,
        )
        up_responses = up.raw.get("responses") or {}
        ours_responses = ours.raw.get("responses") or {}
        for status in self.elements(
            f"{where} responses", "status", up_responses, ours_responses, ours.notes
        ):
            up_response = self.up.resolve(up_responses[status])
            ours_response = self.ours.resolve(ours_responses[status])
            notes = self.ours.notes_of(ours_responses[status])
            at = f"{where} {status}"
            up_headers = up_response.get("headers") or {}
            ours_headers = ours_response.get("headers") or {}
            for name in self.elements(at, "header", up_headers, ours_headers, notes):
                self.schema(
                    f"{at} header {name}",
                    [self.up.resolve(up_headers[name]).get("schema", {})],
                    [self.ours.resolve(ours_headers[name]).get("schema", {})],
                )
            self.content(
                at, up_response.get("content") or {}, ours_response.get("content") or {}, notes
            )
        self.value(
            where,
            "security",
            up.security(self.up),
            ours.security(self.ours),
            ours.security_notes(self.ours),
        )


@dataclass
class Operation:
    """One operation with the path-level parameters it inherits."""

    path: str
    method: str
    raw: Json
    path_item: Json
    notes: list[str]

    def parameters(self, document: Document) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for raw in [*self.path_item.get("parameters", []), *self.raw.get("parameters", [])]:
            param = document.resolve(raw)
            found[f"{param.get('in')}:{param.get('name')}"] = raw
        return found

    def _schemes(self, document: Document) -> list[tuple[str, Json]]:
        requirements = self.raw.get("security", document.data.get("security")) or []
        schemes = (document.data.get("components") or {}).get("securitySchemes") or {}
        return [
            (name, document.resolve(schemes.get(name, {})))
            for requirement in requirements
            for name in requirement
        ]

    def security(self, document: Document) -> list[str]:
        """The kinds of credentials the operation takes, e.g. ``http bearer``, ``oauth2``."""
        return sorted(
            {
                f"{scheme.get('type')} {scheme.get('scheme', '')}".strip()
                for _, scheme in self._schemes(document)
            }
        )

    def security_notes(self, document: Document) -> list[str]:
        schemes = (document.data.get("components") or {}).get("securitySchemes") or {}
        return [n for name, _ in self._schemes(document) for n in document.notes_of(schemes[name])]


def operations(document: Document) -> dict[str, Operation]:
    """The operations under ``/sim-integrations``, keyed ``METHOD path``."""
    found = {}
    for path, item in (document.data.get("paths") or {}).items():
        if path != PATH_PREFIX and not path.startswith(PATH_PREFIX + "/"):
            continue
        item = document.resolve(item)
        for method in METHODS:
            if method in item:
                raw = item[method]
                key = f"{method.upper()} {path}"
                found[key] = Operation(path, method, raw, item, document.notes_of(raw))
    return found


def diff(upstream: Json, ours: Json) -> list[Difference]:
    """Every difference between the SIM Integrations operations of two documents."""
    up_doc, ours_doc = Document(upstream), Document(ours)
    differ = Differ(up_doc, ours_doc)
    up_ops, ours_ops = operations(up_doc), operations(ours_doc)
    for key in differ.elements("paths", "operation", _raws(up_ops), _raws(ours_ops), []):
        up_op, ours_op = up_ops[key], ours_ops[key]
        differ.value(
            key,
            "operationId",
            up_op.raw.get("operationId"),
            ours_op.raw.get("operationId"),
            ours_op.notes,
        )
        differ.operation(key, up_op, ours_op)
    # A schema the operations do not reach in both documents alike (upstream's JSON Patch
    # operation sits inside an object that D2 replaces) is compared by its name.
    for name in _schema_names(upstream) & _schema_names(ours):
        ref = f"#/components/schemas/{name}"
        if ref not in ours_doc.reached or ref not in up_doc.reached:
            differ.schema(f"components.schemas.{name}", [{"$ref": ref}], [{"$ref": ref}])
    return differ.found


def _schema_names(document: Json) -> set[str]:
    return set(((document.get("components") or {}).get("schemas") or {}).keys())


def _raws(ops: Mapping[str, Operation]) -> dict[str, Json]:
    return {key: op.raw for key, op in ops.items()}


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "none" if value is None else json.dumps(value)


def load(path: Path) -> Json:
    """A YAML or JSON document (JSON is YAML)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return data


def report(differences: list[Difference]) -> Iterator[str]:
    for difference in differences:
        yield difference.line()
    new = sum(1 for d in differences if d.deviation is None)
    listed = sorted({d.deviation for d in differences if d.deviation}, key=lambda d: int(d[1:]))
    yield (
        f"{len(differences)} difference(s): {new} new, "
        f"{len(differences) - new} listed ({', '.join(listed) or 'none'})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("upstream", type=Path, help="the upstream document (YAML or JSON)")
    parser.add_argument("--ours", type=Path, default=OURS, help="our fragment")
    args = parser.parse_args(argv)
    try:
        differences = diff(load(args.upstream), load(args.ours))
    except (OSError, ValueError, KeyError, yaml.YAMLError) as error:
        print(f"spec-diff: {error}", file=sys.stderr)
        return 2
    for line in report(differences):
        print(line)
    return 1 if any(d.deviation is None for d in differences) else 0


if __name__ == "__main__":
    sys.exit(main())
