import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { signedIn, signOut } from "./auth";
import { createApi } from "./client";

const api = createApi("http://localhost/api");

const user = { id: "u1", email: "a@b.pl", name: "Anna", display_name: "Anna", role: "passenger" as const };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("the API client's session", () => {
  let calls: { url: string; auth: string | null }[];

  beforeEach(() => {
    calls = [];
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    signOut();
  });

  function answering(answers: Record<string, Response[]>): void {
    vi.stubGlobal(
      "fetch",
      vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
        const request = input instanceof Request ? input : null;
        const url = new URL(request ? request.url : String(input), "http://localhost").pathname;
        const auth = request ? request.headers.get("Authorization") : new Headers(init?.headers).get("Authorization");
        calls.push({ url, auth });
        const next = answers[url]?.shift();
        return Promise.resolve(next ?? json(404, { error: { code: "not_found", message: url } }));
      }),
    );
  }

  it("renews the token and sends the refused request again once", async () => {
    signedIn({ access_token: "old", expires_in: 900, user });
    answering({
      "/api/bookings": [json(401, { error: { code: "unauthorized", message: "expired" } }), json(200, { bookings: [] })],
      "/api/auth/refresh": [json(200, { access_token: "new", expires_in: 900, user })],
    });
    const result = await api.GET("/bookings");
    expect(result.response.status).toBe(200);
    expect(calls).toEqual([
      { url: "/api/bookings", auth: "Bearer old" },
      { url: "/api/auth/refresh", auth: null },
      { url: "/api/bookings", auth: "Bearer new" },
    ]);
  });

  it("renews an expired token before the call instead of sending it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    signedIn({ access_token: "old", expires_in: 900, user });
    vi.setSystemTime(Date.now() + 901_000);
    answering({
      "/api/bookings": [json(200, { bookings: [] })],
      "/api/auth/refresh": [json(200, { access_token: "new", expires_in: 900, user })],
    });
    await api.GET("/bookings");
    expect(calls.map((c) => c.auth)).toEqual([null, "Bearer new"]);
  });

  it("answers the 401 when the refresh cookie is refused too, and signs out", async () => {
    signedIn({ access_token: "old", expires_in: 900, user });
    answering({
      "/api/bookings": [json(401, { error: { code: "unauthorized", message: "expired" } })],
      "/api/auth/refresh": [json(401, { error: { code: "invalid_refresh_token", message: "no" } })],
    });
    const result = await api.GET("/bookings");
    expect(result.response.status).toBe(401);
    expect(calls.filter((c) => c.url === "/api/bookings")).toHaveLength(1);
    expect(localStorage.getItem("trainbook.session")).toBeNull();
  });
});
