"""Source URLs (spec 9): what GWP_SOURCES and a supplier's `source` accept, and that no password is
ever taken from a URL or the register."""

from __future__ import annotations

import pytest
from factories import contract

from gwp_monitor.config.register import RegisterError, parse_register
from gwp_monitor.config.settings import Settings, SettingsError
from gwp_monitor.sources.credentials import connection_id, credentials_for, env_names
from gwp_monitor.sources.urls import SourceUrlError, parse_source, parse_sources


@pytest.mark.parametrize(
    ("text", "kind", "url", "path"),
    [
        ("portal", "portal", "portal", ""),
        ("file:///srv/returns/", "folder", "file:///srv/returns", "/srv/returns"),
        ("sftp://gwp@sftp.acme.example/out", "sftp", "sftp://gwp@sftp.acme.example:22/out", "/out"),
        ("SFTP://gwp@10.0.0.5:2222", "sftp", "sftp://gwp@10.0.0.5:2222/", "/"),
        ("imaps://returns@imap.example.org", "imap", "imaps://returns@imap.example.org:993/INBOX", "INBOX"),
        (
            "imaps://r%40c@imap.example.org:1993/Returns/2026",
            "imap",
            "imaps://r%40c@imap.example.org:1993/Returns/2026",
            "Returns/2026",
        ),
    ],
)
def test_source_urls_are_normalised(text, kind, url, path):
    source = parse_source(text)
    assert (source.kind, source.url, source.path) == (kind, url, path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("sftp://gwp:hunter2@host/x", "holds a password"),
        ("ftp://gwp@host/x", "unknown scheme"),
        ("imap://gwp@host/INBOX", "unknown scheme"),  # plain IMAP is not offered: TLS only
        ("sftp://host/x", "name the user and the host"),
        ("file://server/share", "names a local folder"),
        ("file:relative", "absolute folder"),
        ("sftp://gwp@host:99999/x", "port"),
        ('imaps://gwp@host/IN"BOX', "characters IMAP will not take"),
    ],
)
def test_unusable_source_urls_are_refused_with_what_to_write(text, says):
    with pytest.raises(SourceUrlError, match=says) as refused:
        parse_source(text)
    assert "hunter2" not in str(refused.value)


def test_each_source_once_in_the_order_given():
    urls = [s.url for s in parse_sources(["portal", "sftp://a@h/x", "sftp://a@h:22/x", "", "portal"])]
    assert urls == ["portal", "sftp://a@h:22/x"]


def test_settings_refuse_a_password_in_gwp_sources_without_showing_it():
    with pytest.raises(SettingsError) as refused:
        Settings.load(environ={"GWP_SOURCES": "portal, sftp://gwp:hunter2@host/x"})
    assert str(refused.value).startswith("GWP_SOURCES is not valid: source sftp://host... holds a password")
    assert "hunter2" not in str(refused.value)


def test_a_suppliers_source_in_the_register_is_checked_and_never_holds_a_password():
    entry = contract("R-1")
    entry["supplier"]["source"] = "imaps://returns@mail.acme.example/INBOX"
    register = parse_register({"contracts": [entry]})
    assert register.contracts["R-1"].supplier.source == "imaps://returns@mail.acme.example:993/INBOX"
    entry["supplier"]["source"] = "sftp://gwp:hunter2@host/x"
    with pytest.raises(RegisterError) as refused:
        parse_register({"contracts": [entry]})
    assert "holds a password" in str(refused.value) and "hunter2" not in str(refused.value)


def test_credentials_come_from_variables_named_by_the_host():
    source = parse_source("sftp://gwp@sftp.acme-care.example/out")
    assert env_names(source) == ("GWP_SOURCE_PASSWORD_SFTP_ACME_CARE_EXAMPLE", "GWP_SOURCE_KEY_SFTP_ACME_CARE_EXAMPLE")
    assert connection_id(source) == "gwp_source_sftp_acme_care_example"
    settings = Settings.load(environ={"GWP_SOURCE_KEY_SFTP_ACME_CARE_EXAMPLE": "/run/secrets/acme"})
    creds = credentials_for(source, settings)
    assert (creds.password, creds.key_file) == (None, "/run/secrets/acme")
    assert "secrets" not in repr(settings)
