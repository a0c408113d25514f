"""Headless Debian Chromium under Selenium 4, offline, with a throw-away profile and home folders."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
    "--lang=pl-PL",
)


class BrowserMissing(RuntimeError):
    pass


@contextmanager
def chromium(*, chromedriver: str = CHROMEDRIVER, binary: str = CHROMIUM) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium; its profile and XDG folders are deleted when the block ends."""
    if not Path(chromedriver).exists() or not Path(binary).exists():
        raise BrowserMissing(
            f"{chromedriver} or {binary} is missing: install the Debian packages chromium and "
            "chromium-driver (infra/scripts/install-system-deps.sh)"
        )
    # Selenium Manager would otherwise try to download a driver; the Debian one is all we use.
    os.environ["SE_OFFLINE"] = "true"
    home = Path(tempfile.mkdtemp(prefix="trainbook-chromium-"))
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        (home / name.lower()).mkdir()
        env[name] = str(home / name.lower())
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={home / 'profile'}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver, env=env))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(home, ignore_errors=True)
