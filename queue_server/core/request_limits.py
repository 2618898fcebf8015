"""Request-rate limits: what a device or a client address may send in a window, as configured in
[server.request_limits] (docs/config.md). The counting lives in security/request_limits.py."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Rate(BaseModel):
    """At most `count` requests in any `per_s` seconds (a sliding window)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int = Field(ge=1, le=1_000_000)
    per_s: int = Field(ge=1, le=86400)


class RequestLimits(BaseModel):
    """Optional [server.request_limits] table. Defaults sit far above what a hall does honestly, so
    only a broken or hostile client meets them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A kiosk prints a slip in 3-5 s and a citizen needs longer at the screen: 30 a minute is a
    # kiosk issuing without pause. Per device; a device's own `issue_rate` overrides it.
    issue_per_device: Rate = Rate(count=30, per_s=60)
    # Identification (鲁通码, cards, face, SMS codes) per kiosk: face matching costs real CPU.
    identify_per_device: Rate = Rate(count=30, per_s=60)
    # The phone follow page and its JSON and stream, per client address. Generous because a hall's
    # Wi-Fi often puts every phone behind one address (1,000 phones opening page and stream at
    # once stay inside); it stops one script from hammering the server, not a crowd.
    track_per_address: Rate = Rate(count=3000, per_s=60)
