"""Scopes and async context.

A scope holds the names bound in it. Code is in async context when the
innermost enclosing function is an ``async def``; a nested ``def``, a
``lambda`` or a class body ends it, a comprehension does not.
"""

from __future__ import annotations

import ast

MODULE = "module"
CLASS = "class"
FUNCTION = "function"
LAMBDA = "lambda"
COMPREHENSION = "comprehension"


class Scope:
    __slots__ = ("kind", "node", "parent", "bindings", "kinds", "globals", "is_async", "function")

    def __init__(self, kind: str, node: ast.AST, parent: Scope | None) -> None:
        self.kind = kind
        self.node = node
        self.parent = parent
        # name -> qualified name it was imported as, or None for any other binding
        self.bindings: dict[str, str | None] = {}
        # name -> receiver kind of the value it holds (see receivers.py)
        self.kinds: dict[str, str] = {}
        self.globals: set[str] = set()
        if kind == FUNCTION:
            self.is_async = isinstance(node, ast.AsyncFunctionDef)
            self.function: ast.AST | None = node
        elif kind in (LAMBDA, CLASS):
            self.is_async = False
            self.function = node if kind == LAMBDA else None
        elif parent is not None:  # comprehension: inherits from its parent
            self.is_async = parent.is_async
            self.function = parent.function
        else:
            self.is_async = False
            self.function = None

    def __repr__(self) -> str:
        return f"<Scope {self.kind} async={self.is_async}>"


_KIND_OF_SCOPE = {ast.FunctionDef: FUNCTION, ast.AsyncFunctionDef: FUNCTION, ast.Lambda: LAMBDA, ast.ClassDef: CLASS}


def scope_kind(node: ast.AST) -> str:
    """The kind of scope *node* opens: function, lambda, class or comprehension."""
    return _KIND_OF_SCOPE.get(node.__class__, COMPREHENSION)


def parameter_names(args: ast.arguments) -> list[str]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return names
