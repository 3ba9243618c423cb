"""Browser tests: a real headless Chromium (Debian's, never a downloaded one) drives the live Django server.

Every test in this directory is marked ``e2e``. They are skipped when the ``playwright`` package or the
Chromium binary is missing. ``KANALI_E2E_CHROMIUM`` overrides the binary (default ``/usr/bin/chromium``,
falling back to ``chromium`` on ``PATH``); point it at a missing file to check the skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).resolve().parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    """The Chromium binary to drive, or ``None`` when it is not installed."""
    if override := os.environ.get("KANALI_E2E_CHROMIUM"):
        return override if os.access(override, os.X_OK) else None
    if os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    return shutil.which("chromium")


def skip_reason() -> str | None:
    """Why the e2e tests cannot run here, or ``None`` when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed: pip install -e '.[dev]'"
    if chromium_path() is None:
        return "Chromium not installed: apt-get install chromium (or set KANALI_E2E_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of this directory ``e2e`` and run them last; skip them all when no browser can run.

    Running last matters: from the first e2e test to the end of the session the browser (and with it
    ``DJANGO_ALLOW_ASYNC_UNSAFE``) is live, and no other test should run under it.
    """
    reason = skip_reason()
    e2e = [item for item in items if item.path.is_relative_to(HERE)]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
    items[:] = [item for item in items if not item.path.is_relative_to(HERE)] + e2e


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session.

    Playwright's sync API leaves an asyncio loop registered on the test thread, so Django's ORM would
    raise SynchronousOnlyOperation there; ``DJANGO_ALLOW_ASYNC_UNSAFE`` is the documented escape hatch for
    pytest-django + Playwright. It is set only while the browser lives (never at import: subprocesses
    such as ``manage.py check --deploy`` would inherit it and fail async.E001).
    """
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert executable, skip_reason()
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies, English locale) per test."""
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()
