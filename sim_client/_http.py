"""The ``httpx.AsyncClient`` that ``SimClient`` builds for itself when none is injected.

The API sets no cookies, so this client keeps none: httpx otherwise wraps every response and
its request in ``http.cookiejar`` adapters to look for ``Set-Cookie`` (about 15 us a call).
"""

from __future__ import annotations

from http.cookiejar import Cookie, CookieJar
from typing import Any

import httpx

__all__ = ["CookielessAsyncClient"]


class _NoCookieJar(CookieJar):
    """A jar that stays empty: it neither stores nor sends a cookie."""

    def set_cookie(self, cookie: Cookie) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def add_cookie_header(self, request: Any) -> None:
        return None


class _NoCookies(httpx.Cookies):
    """``httpx.Cookies`` over an empty jar that skips the work of looking at a response."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


_NO_COOKIES = _NoCookies(_NoCookieJar())


class CookielessAsyncClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that keeps no cookies (``cookies`` is always empty)."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise TypeError("this client keeps no cookies")
