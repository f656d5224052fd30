"""The browser tests' Chromium discovery: skip with instructions, fail under CI."""

from __future__ import annotations

import os
import stat

import pytest

from tests import browser


@pytest.fixture
def no_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: nothing to find
    monkeypatch.delenv(browser.ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)


def test_without_a_browser_the_test_skips_saying_how_to_install_one(no_browser):
    with pytest.raises(pytest.skip.Exception) as skipped:
        browser.require_chromium()
    assert "apt-get install chromium" in str(skipped.value)


def test_under_ci_a_missing_browser_fails_the_run(no_browser, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        browser.require_chromium()
    assert "CI is set" in str(failed.value)


def test_a_browser_under_another_name_on_path_is_found(no_browser, tmp_path):
    exe = tmp_path / "chromium-browser"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    assert browser.require_chromium() == str(exe)


def test_an_explicit_path_wins(no_browser, monkeypatch, tmp_path):
    exe = tmp_path / "my-chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(browser.ENV, str(exe))
    assert browser.require_chromium() == os.fspath(exe)
