"""FastAPI routes whose dependencies are resolved from a plan made once per route.

FastAPI works out per request, for every dependency of a route, what it already knows at start-up: whether a
callable is a coroutine or a generator, its cache key, its OAuth scopes, each parameter's aliases and
whether its type is a sequence. On our routes (key, role, release, period and bbox dependencies plus up
to ten query parameters) that was most of an uncached request (~0.4 of ~0.65 ms, profiled with cProfile).
:class:`PlannedRoute` walks the route's dependency tree once and then, per request, does only the work
that depends on the request, in FastAPI's order and with FastAPI's own validation of each parameter
(``ModelField.validate``), so answers and errors (401 before 400, the same pydantic error list) are the
same; ``tests/api/test_planned.py`` compares both byte for byte over a real server.

Only the plain subset our routes use is planned: ``Request``, ``Depends``/``Security`` on ``async def`` or
plain functions (the latter in the thread pool, as FastAPI does), path and query parameters of
single values, and endpoints that return a :class:`~starlette.responses.Response`. Anything else (bodies,
``yield`` dependencies, parameter models, OAuth scopes, response models, dependency overrides as in the
start-up warm-up) goes through FastAPI's own handler.
"""

from __future__ import annotations

import copy
import enum
import inspect
import typing
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.params import Param
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

try:  # FastAPI internals: without them every route keeps FastAPI's own handler
    from fastapi.dependencies.models import Dependant
    from fastapi.dependencies.utils import _validate_value_with_model_field
    from fastapi.routing import _effective_route_context_var
    from pydantic_core import PydanticUndefined as Undefined
except ImportError:  # pragma: no cover - another FastAPI version
    PLANNING = False
else:
    PLANNING = True

__all__ = ["PLANNING", "PlannedRoute"]

_SEQUENCES = (list, set, frozenset, tuple)
_IMMUTABLE = (type(None), bool, int, float, str, bytes, enum.Enum)


@dataclass(frozen=True, slots=True)
class _Param:
    """One path or query parameter: where to read it and how FastAPI validates it."""

    field: Any  # fastapi._compat.ModelField
    name: str
    alias: str
    loc: tuple[str, str]
    missing_default: tuple[bool, Any]  # (is a ready value, value) for an absent optional parameter

    def read(self, received: Any, values: dict[str, Any]) -> tuple[Any, list[Any]]:
        value = received.get(self.alias)
        if value is None:
            ready, default = self.missing_default
            if ready:
                return default, []
            value = Undefined
        return _validate_value_with_model_field(field=self.field, value=value, values=values, loc=self.loc)


@dataclass(frozen=True, slots=True)
class _Step:
    """One node of the dependency tree (the endpoint itself is the root)."""

    call: Callable[..., Any]
    name: str | None
    cache_key: tuple[Any, str]
    use_cache: bool
    is_coroutine: bool
    subs: tuple[_Step, ...]
    path: tuple[_Param, ...]
    query: tuple[_Param, ...]
    request_names: tuple[str, ...]  # Request / HTTPConnection parameters

    async def solve(self, request: Request, cache: dict[tuple[Any, str], Any]) -> tuple[dict[str, Any], list[Any]]:
        """FastAPI's ``solve_dependencies`` for this node: sub-dependencies in order (a failed one adds its
        errors and is skipped), then the node's own parameters; values by name and all errors."""
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for sub in self.subs:
            sub_values, sub_errors = await sub.solve(request, cache)
            if sub_errors:
                errors.extend(sub_errors)
                continue
            if sub.use_cache and sub.cache_key in cache:
                solved = cache[sub.cache_key]
            elif sub.is_coroutine:
                solved = await sub.call(**sub_values)
            else:
                solved = await run_in_threadpool(sub.call, **sub_values)
            if sub.name is not None:
                values[sub.name] = solved
            if sub.cache_key not in cache:
                cache[sub.cache_key] = solved
        if self.path:
            self._read(self.path, request.path_params, values, errors)
        if self.query:
            self._read(self.query, request.query_params, values, errors)
        for name in self.request_names:
            values[name] = request
        return values, errors


    @staticmethod
    def _read(params: tuple[_Param, ...], received: Any, values: dict[str, Any], errors: list[Any]) -> None:
        for param in params:
            value, param_errors = param.read(received, values)
            if param_errors:
                errors.extend(param_errors)
            else:
                values[param.name] = value


def _is_sequence(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        return any(_is_sequence(a) for a in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _is_sequence(typing.get_args(annotation)[0])
    target = origin or annotation
    return isinstance(target, type) and (issubclass(target, _SEQUENCES) or issubclass(target, BaseModel))


def _param(field: Any, where: str) -> _Param | None:
    info = field.field_info
    config = getattr(field, "config", None) or {}
    if not isinstance(info, Param) or info.validation_alias not in (None, field.alias) or any(
            type(m).__name__ == "Json" for m in info.metadata) or config.get("validate_by_alias") is False \
            or config.get("validate_by_name") or config.get("populate_by_name"):
        return None  # several names for one parameter, or JSON in a parameter: FastAPI's handler
    if _is_sequence(info.annotation):
        return None
    default = field.default
    ready = (not info.is_required() and not info.validate_default and isinstance(default, _IMMUTABLE))
    return _Param(field=field, name=field.name, alias=field.alias, loc=(where, field.alias),
                  missing_default=(ready, copy.copy(default) if ready else None))


def _is_coroutine(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or (
        not inspect.isroutine(call) and not inspect.isclass(call)
        and inspect.iscoroutinefunction(getattr(call, "__call__", None)))  # noqa: B004


def _is_generator(call: Any) -> bool:
    targets = [call, getattr(call, "__call__", None)]  # noqa: B004
    return any(inspect.isgeneratorfunction(t) or inspect.isasyncgenfunction(t) for t in targets if t is not None)


def plan(dependant: Any) -> _Step | None:
    """The plan of a dependency tree, or ``None`` when it uses anything beyond the plain subset."""
    call = dependant.call
    if call is None or _is_generator(call) or dependant.body_params or dependant.own_oauth_scopes \
            or dependant.parent_oauth_scopes or dependant.security_scopes_param_name \
            or dependant.background_tasks_param_name or dependant.response_param_name \
            or dependant.websocket_param_name or getattr(dependant, "concurrency", None) is not None:
        return None
    subs = []
    for sub in dependant.dependencies:
        step = plan(sub)
        if step is None:
            return None
        subs.append(step)
    groups = {}
    if dependant.header_params or dependant.cookie_params:  # none of ours; FastAPI renames header aliases
        return None
    for where, fields in (("path", dependant.path_params), ("query", dependant.query_params)):
        params = tuple(_param(f, where) for f in fields)
        if any(p is None for p in params):
            return None
        groups[where] = typing.cast(tuple[_Param, ...], params)
    names = tuple(n for n in (dependant.request_param_name, dependant.http_connection_param_name) if n)
    return _Step(call=call, name=dependant.name, cache_key=(call, getattr(dependant, "scope", None) or ""),
                 use_cache=dependant.use_cache, is_coroutine=_is_coroutine(call), subs=tuple(subs),
                 path=groups["path"], query=groups["query"], request_names=names)


def _returns_response(endpoint: Callable[..., Any]) -> bool:
    try:
        hint = typing.get_type_hints(endpoint).get("return")
    except (NameError, TypeError):
        return False
    return isinstance(hint, type) and issubclass(hint, Response)


class PlannedRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` that resolves its dependencies from a plan (module docstring)
    when it can, and else exactly as FastAPI does."""

    planned = False  # does a request go through the plan (unless dependencies are overridden)?

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        fallback = super().get_route_handler()
        if not PLANNING or not _returns_response(self.endpoint):
            return fallback
        context = _effective_route_context_var.get()  # under include_router: the route with the router's deps
        dependant = context.dependant if context is not None and context.original_route is self else self.dependant
        root = plan(dependant) if isinstance(dependant, Dependant) else None
        if root is None:
            return fallback
        self.planned = True
        provider = self.dependency_overrides_provider

        async def handler(request: Request) -> Response:
            if provider is not None and getattr(provider, "dependency_overrides", None):
                return await fallback(request)
            values, errors = await root.solve(request, {})
            if errors:
                raise RequestValidationError(errors, body=None)
            response = await root.call(**values) if root.is_coroutine else await run_in_threadpool(root.call, **values)
            if not isinstance(response, Response):  # the return annotation said Response
                raise TypeError(f"{self.path}: endpoint returned {type(response).__name__}, not a Response")
            return response

        return handler


