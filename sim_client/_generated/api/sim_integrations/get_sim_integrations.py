# Generated from openapi/sim-integrations.beta.yaml by `make generate` - do not edit.
# Change the fragment, generator-config.yaml or openapi/templates/ and regenerate.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response_dto import ErrorResponseDto
from ...models.rate_limit_body import RateLimitBody
from ...models.sim_integration import SimIntegration
from ...models.unauthorized_body import UnauthorizedBody
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sim-integrations",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration] | None:
    if response.status_code == 200:
        _response_200 = response.json()
        if not isinstance(_response_200, list):
            raise TypeError(
                f"response_200: expected list, got {type(_response_200).__name__}"
            )
        response_200 = []
        for response_200_item_data in _response_200:
            if not isinstance(response_200_item_data, dict):
                raise TypeError(
                    f"response_200[]: expected dict, got {type(response_200_item_data).__name__}"
                )
            response_200_item = SimIntegration.from_dict(response_200_item_data)
            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        _response_400 = response.json()
        if not isinstance(_response_400, dict):
            raise TypeError(
                f"response_400: expected dict, got {type(_response_400).__name__}"
            )
        response_400 = ErrorResponseDto.from_dict(_response_400)

        return response_400

    if response.status_code == 401:
        _response_401 = response.json()
        if not isinstance(_response_401, dict):
            raise TypeError(
                f"response_401: expected dict, got {type(_response_401).__name__}"
            )
        response_401 = UnauthorizedBody.from_dict(_response_401)

        return response_401

    if response.status_code == 403:
        _response_403 = response.json()
        if not isinstance(_response_403, dict):
            raise TypeError(
                f"response_403: expected dict, got {type(_response_403).__name__}"
            )
        response_403 = ErrorResponseDto.from_dict(_response_403)

        return response_403

    if response.status_code == 404:
        _response_404 = response.json()
        if not isinstance(_response_404, dict):
            raise TypeError(
                f"response_404: expected dict, got {type(_response_404).__name__}"
            )
        response_404 = ErrorResponseDto.from_dict(_response_404)

        return response_404

    if response.status_code == 429:
        _response_429 = response.json()
        if not isinstance(_response_429, dict):
            raise TypeError(
                f"response_429: expected dict, got {type(_response_429).__name__}"
            )
        response_429 = RateLimitBody.from_dict(_response_429)

        return response_429

    if response.status_code == 500:
        _response_500 = response.json()
        if not isinstance(_response_500, dict):
            raise TypeError(
                f"response_500: expected dict, got {type(_response_500).__name__}"
            )
        response_500 = ErrorResponseDto.from_dict(_response_500)

        return response_500

    if response.status_code == 502:
        _response_502 = response.json()
        if not isinstance(_response_502, dict):
            raise TypeError(
                f"response_502: expected dict, got {type(_response_502).__name__}"
            )
        response_502 = ErrorResponseDto.from_dict(_response_502)

        return response_502

    if response.status_code == 503:
        _response_503 = response.json()
        if not isinstance(_response_503, dict):
            raise TypeError(
                f"response_503: expected dict, got {type(_response_503).__name__}"
            )
        response_503 = ErrorResponseDto.from_dict(_response_503)

        return response_503

    if response.status_code == 504:
        _response_504 = response.json()
        if not isinstance(_response_504, dict):
            raise TypeError(
                f"response_504: expected dict, got {type(_response_504).__name__}"
            )
        response_504 = ErrorResponseDto.from_dict(_response_504)

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]
]:
    """List every SIM integration of the tenant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration] | None:
    """List every SIM integration of the tenant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[
    ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]
]:
    """List every SIM integration of the tenant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration] | None:
    """List every SIM integration of the tenant.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponseDto | RateLimitBody | UnauthorizedBody | list[SimIntegration]
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
