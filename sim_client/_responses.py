"""What a call returns: the raw answer (:class:`RawResponse`) and its decoding into models.

A 2xx body decodes when its outer shape is right (an object for one integration, an array of
objects for the list); anything else that misfits the fragment is the tolerant reader's
business (:mod:`sim_client._reading`), or a :class:`ResponseDecodeError` when reading strictly.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any, Generic, TypeVar, get_args, get_origin

import httpx

from sim_client._reading import strict_reading
from sim_client.errors import ResponseDecodeError, describe_request
from sim_client.models import SimIntegration

__all__ = [
    "REQUEST_ID_HEADERS",
    "RawResponse",
    "decode",
    "decode_integration",
    "decode_integrations",
]

T = TypeVar("T")
U = TypeVar("U")

#: The errors a generated ``from_dict`` raises on a body that does not fit its model.
DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)
#: Headers that carry the service's id of a request, first found wins.
REQUEST_ID_HEADERS = ("SLPT-Request-ID", "X-Request-Id", "X-Tracking-Id", "Request-Id")


class RawResponse(Generic[T]):
    """The HTTP answer of a call, for when the model is not all you need.

    ``parse()`` decodes the body into what the plain call returns (once; later calls return the
    same object).
    """

    __slots__ = ("_model", "_parsed", "_secrets", "_strict", "_then", "http_response")

    def __init__(
        self,
        response: httpx.Response,
        model: Any,
        *,
        strict: bool,
        secrets: tuple[str, ...] = (),
        then: Callable[[Any], T] | None = None,
    ) -> None:
        self.http_response = response
        """The ``httpx.Response``, its body already read."""
        self._model = model
        self._strict = strict
        self._secrets = secrets
        self._then = then
        self._parsed: list[T] = []

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {describe_request(self.http_response.request)}>"

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers."""
        return self.http_response.headers

    @property
    def elapsed(self) -> datetime.timedelta:
        """The time from sending the request to reading the whole answer."""
        return self.http_response.elapsed

    @property
    def request_id(self) -> str | None:
        """The service's id of this request (a request or tracking id header), if it sent one."""
        headers = self.http_response.headers
        for name in REQUEST_ID_HEADERS:
            value: str | None = headers.get(name)
            if value:
                return value
        return None

    def parse(self) -> T:
        """The model the plain call returns; :class:`ResponseDecodeError` if the body misfits."""
        if not self._parsed:
            try:
                parsed = decode(self._model, self.http_response, strict=self._strict)
            except ResponseDecodeError as error:
                error.hide(self._secrets)
                raise
            self._parsed.append(parsed if self._then is None else self._then(parsed))
        return self._parsed[0]

    def _map(self, convert: Callable[[T], U]) -> RawResponse[U]:
        """The same answer, whose ``parse()`` gives ``convert`` of this one's."""
        return RawResponse(
            self.http_response,
            self._model,
            strict=self._strict,
            secrets=self._secrets,
            then=lambda parsed: convert(parsed if self._then is None else self._then(parsed)),
        )


def decode(model: Any, response: httpx.Response, *, strict: bool) -> Any:
    """The body of a 2xx ``response`` as ``model`` (a model class, ``list[Model]``, or None for
    no body)."""
    if model is None:
        return None
    if get_origin(model) is list:
        return _decode_list(get_args(model)[0], response, strict)
    data = _json(response)
    try:
        with strict_reading(strict):
            return model.from_dict(data)
    except DECODE_ERRORS as error:
        raise _decode_error(response, f"the body is not a {model.__name__}", error) from error


def decode_integration(response: httpx.Response, *, strict: bool) -> SimIntegration:
    """One integration from a 2xx answer."""
    decoded: SimIntegration = decode(SimIntegration, response, strict=strict)
    return decoded


def decode_integrations(response: httpx.Response, *, strict: bool) -> list[SimIntegration]:
    """The integrations of a 2xx list answer; an item that cannot be one names its index."""
    decoded: list[SimIntegration] = decode(list[SimIntegration], response, strict=strict)
    return decoded


def _decode_list(model: Any, response: httpx.Response, strict: bool) -> list[Any]:
    data = _json(response)
    if not isinstance(data, list):
        raise _decode_error(response, "the body is not a JSON array", None)
    # Taken from the end, each item's JSON is freed as soon as its model is made: the document
    # and the models are never all alive at once, which spares the garbage collector.
    data.reverse()
    pop, from_dict, decoded = data.pop, model.from_dict, []
    with strict_reading(strict):
        try:
            while data:
                decoded.append(from_dict(pop()))
        except DECODE_ERRORS as error:
            problem = f"item {len(decoded)} is not a {model.__name__}"
            raise _decode_error(response, problem, error) from error
    return decoded


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as error:
        raise _decode_error(response, "the body is not JSON", error) from error


def _decode_error(
    response: httpx.Response, problem: str, error: BaseException | None
) -> ResponseDecodeError:
    detail = f" ({type(error).__name__}: {error})" if error is not None else ""
    return ResponseDecodeError(
        f"{describe_request(response.request)} -> {response.status_code}: {problem}{detail}",
        response=response,
    )
