"""A griffe extension for the docs build: Sphinx roles in docstrings become code spans.

The docstrings cross-reference with Sphinx roles (``:class:`SimClient```, ``:meth:`aclose```),
which Markdown would show as they are; mkdocstrings renders ``SimClient`` as code instead
(a leading ``~`` keeps only the last component, as in Sphinx).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|attr|data|mod|exc|obj):`(~?)([^`]+)`")


def plain(text: str) -> str:
    """``text`` with every Sphinx role replaced by a Markdown code span."""

    def code(match: re.Match[str]) -> str:
        target = match[2].rsplit(".", 1)[-1] if match[1] else match[2]
        return f"`{target}`"

    return _ROLE.sub(code, text)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring griffe loads."""

    def on_instance(
        self,
        *,
        node: ast.AST | griffe.ObjectNode,
        obj: griffe.Object,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: Any,
    ) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
