"""A thin test client for one hall: tokens by role, and short verbs over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from .halls import STAFF_PASSWORD, token_for
from .servers import ServerProcess


class HallClient:
    def __init__(self, server: ServerProcess, hall_id: str):
        self.server = server
        self.hall = hall_id
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self._staff_tokens: dict[str, str] = {}

    def close(self) -> None:
        self.http.close()

    # tokens
    def device(self, device_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(self.hall, device_id)}"}

    @property
    def kiosk(self) -> dict[str, str]:
        return self.device("kiosk-1")

    @property
    def display(self) -> dict[str, str]:
        return self.device("screen-1")

    @property
    def platform(self) -> dict[str, str]:
        return self.device("platform")

    def staff(self, staff_id: str = "s01") -> dict[str, str]:
        if staff_id not in self._staff_tokens:
            response = self.http.post(
                "/api/v1/auth/login", json={"hall": self.hall, "staff_id": staff_id, "password": STAFF_PASSWORD}
            )
            assert response.status_code == 200, response.text
            self._staff_tokens[staff_id] = response.json()["token"]
        return {"Authorization": f"Bearer {self._staff_tokens[staff_id]}"}

    @property
    def manager(self) -> dict[str, str]:
        return self.staff("m01")

    # verbs
    def path(self, suffix: str) -> str:
        return f"/api/v1/halls/{self.hall}{suffix}"

    def issue(self, queue: str = "A", expect: int = 201, **body: Any) -> dict[str, Any]:
        response = self.http.post(self.path("/tickets"), json={"queue": queue, "channel": "walkin", **body}, headers=self.kiosk)
        assert response.status_code == expect, response.text
        return response.json()

    def call(self, window: str = "W01", staff: str = "s01", expect: int | None = None) -> httpx.Response:
        response = self.http.post(self.path(f"/windows/{window}/call-next"), headers=self.staff(staff))
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def act(self, ticket_id: str, action: str, staff: str = "s01", expect: int = 200, **extra: Any) -> dict[str, Any]:
        response = self.http.post(
            self.path(f"/tickets/{ticket_id}/actions"), json={"action": action, **extra}, headers=self.staff(staff)
        )
        assert response.status_code == expect, response.text
        return response.json()

    def queues(self) -> dict[str, dict[str, Any]]:
        response = self.http.get(self.path("/queues"), headers=self.display)
        assert response.status_code == 200, response.text
        return {q["id"]: q for q in response.json()}

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        response = self.http.get(self.path(f"/tickets/{ticket_id}"), headers=self.kiosk)
        assert response.status_code == 200, response.text
        return response.json()

    def stream_url(self, since: int | None = None, token: str | None = None) -> str:
        url = f"{self.server.ws_url}/api/v1/halls/{self.hall}/stream?token={token or token_for(self.hall, 'screen-1')}"
        return url + (f"&since={since}" if since is not None else "")
