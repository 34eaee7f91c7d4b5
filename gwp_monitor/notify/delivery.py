"""What every alert channel shares: the channel protocol and the errors the dispatcher tells apart.

Kept apart from the channels themselves so the alert log and the Airflow layer can depend on the
protocol and the error types without importing smtplib or urllib.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from gwp_monitor.notify.events import Alert


class OperationalError(Exception):
    """The environment, not the data, is wrong: a server is down, a setting is missing.

    The command line turns these into a one-line reason and a non-zero exit (spec 7); breaches and
    rejected returns are never operational errors.
    """


class ChannelConfigError(OperationalError, ValueError):
    """A channel setting is missing or malformed; the message names the variable to fix."""


class DeliveryError(OperationalError):
    """An alert could not be delivered on a channel.

    ``retryable`` is True when the same send may succeed later (server down, timeout, HTTP 5xx or
    429, SMTP 4xx) and False when only a configuration change can help (authentication refused,
    recipient refused, HTTP 4xx): the alert log should not mark the alert sent in either case.
    """

    def __init__(self, message: str, *, channel: str, retryable: bool, failures: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.channel = channel
        self.retryable = retryable
        #: From the dispatcher: every delivery that failed, one line each (event key, channel, reason).
        self.failures = failures


@runtime_checkable
class Channel(Protocol):
    """What the alert dispatcher needs from a channel."""

    #: Stable name stored in the alert log with the event key: never change it once deployed.
    name: str

    def handles(self, alert: Alert) -> bool:
        """Whether this channel should be given ``alert`` at all (the dispatcher asks first)."""
        ...

    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise ``DeliveryError``."""
        ...
