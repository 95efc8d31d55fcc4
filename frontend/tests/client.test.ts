// The API client: one refresh for any number of concurrent 401s, one retry per request, the session
// reported ended when the refresh cookie is refused, errors parsed from the API's error body.
import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError } from "../src/api/client";
import { apiError, deferred, FakeApi, json } from "./fakeApi";

const OLD = "old-token";
const NEW = "new-token";

/** A wallet that accepts only NEW, and a refresh that hands out NEW when `release` resolves. */
function server(refreshGate?: Promise<void>) {
  const api = new FakeApi();
  api.on("POST /auth/refresh", async () => {
    await refreshGate;
    return json(200, { access_token: NEW, token_type: "Bearer", expires_in: 600 }, { "Set-Cookie": "parity_refresh=x" });
  });
  api.on("GET /wallet", (c) =>
    c.headers.authorization === `Bearer ${NEW}` ? json(200, { cash_cents: 1234 }) : apiError(401, "INVALID_TOKEN", "a valid access token is required"),
  );
  return api;
}

describe("ApiClient refresh", () => {
  it("shares one refresh among concurrent 401s and retries each request once", async () => {
    const gate = deferred();
    const api = server(gate.promise);
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    client.setAccessToken(OLD);
    const answers = Promise.all([client.get("/wallet"), client.get("/wallet"), client.get("/wallet")]);
    // Let all three 401s arrive while the refresh is held back.
    await vi.waitFor(() => expect(api.count("POST /auth/refresh")).toBe(1));
    await new Promise((r) => setTimeout(r, 10));
    gate.resolve();
    expect(await answers).toEqual([{ cash_cents: 1234 }, { cash_cents: 1234 }, { cash_cents: 1234 }]);
    expect(api.count("POST /auth/refresh")).toBe(1);
    // three first tries with the old token, three retries with the new one
    const wallets = api.calls.filter((c) => c.path === "/wallet").map((c) => c.headers.authorization);
    expect(wallets.filter((a) => a === `Bearer ${OLD}`)).toHaveLength(3);
    expect(wallets.filter((a) => a === `Bearer ${NEW}`)).toHaveLength(3);
    expect(api.last("POST /auth/refresh")!.credentials).toBe("include");
  });

  it("does not refresh again for a 401 that arrives after another request already refreshed", async () => {
    const slow = deferred();
    const api = server();
    let first = true;
    api.on("GET /portfolio", async (c) => {
      if (first) {
        first = false;
        await slow.promise; // answered late, after the wallet's refresh is done
      }
      return c.headers.authorization === `Bearer ${NEW}` ? json(200, { value_cents: 1 }) : apiError(401, "INVALID_TOKEN", "expired");
    });
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    client.setAccessToken(OLD);
    const late = client.get("/portfolio");
    await client.get("/wallet"); // 401, refresh, retry: done
    expect(api.count("POST /auth/refresh")).toBe(1);
    slow.resolve();
    expect(await late).toEqual({ value_cents: 1 });
    expect(api.count("POST /auth/refresh")).toBe(1);
  });

  it("retries only once: a second 401 is the caller's error", async () => {
    const api = server();
    api.on("GET /me", () => apiError(401, "INVALID_TOKEN", "a valid access token is required"));
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    client.setAccessToken(OLD);
    await expect(client.get("/me")).rejects.toMatchObject({ status: 401, code: "INVALID_TOKEN" });
    expect(api.count("GET /me")).toBe(2);
    expect(api.count("POST /auth/refresh")).toBe(1);
  });

  it("reports the session ended when the refresh cookie is refused, and forgets the token", async () => {
    const api = server();
    api.on("POST /auth/refresh", () => apiError(401, "REFRESH_TOKEN_REUSED", "refresh token reused: every session of this login ended"));
    const ended = vi.fn();
    const client = new ApiClient({ fetch: api.fetch, lock: null, onSessionEnded: ended });
    client.setAccessToken(OLD);
    await expect(client.get("/wallet")).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(ended.mock.calls[0]![0]).toMatchObject({ code: "REFRESH_TOKEN_REUSED" });
    expect(client.authenticated).toBe(false);
    expect(api.count("GET /wallet")).toBe(1); // no retry without a new token
  });

  it("a failed refresh at start-up (no session yet) is not reported as an ended session", async () => {
    const api = new FakeApi().on("POST /auth/refresh", () => apiError(401, "INVALID_REFRESH_TOKEN", "no valid refresh token: log in again"));
    const ended = vi.fn();
    const client = new ApiClient({ fetch: api.fetch, lock: null, onSessionEnded: ended });
    expect(await client.refresh()).toBe(false);
    expect(ended).not.toHaveBeenCalled();
  });

  it("takes the cross-tab lock around each refresh", async () => {
    const api = server();
    const names: string[] = [];
    const lock = async <T,>(name: string, fn: () => Promise<T>) => {
      names.push(name);
      return fn();
    };
    const client = new ApiClient({ fetch: api.fetch, lock });
    client.setAccessToken(OLD);
    await Promise.all([client.get("/wallet"), client.get("/wallet")]);
    expect(names).toEqual(["parity-refresh"]);
  });
});

describe("ApiClient requests", () => {
  it("sends JSON, the bearer token and the Idempotency-Key", async () => {
    const api = new FakeApi().on("POST /wallet/deposits", () => json(201, { id: 1, amount_cents: 500, cash_cents: 500 }));
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    client.setAccessToken(NEW);
    await client.post("/wallet/deposits", { amount_cents: 500 }, { idempotencyKey: "key-1" });
    const c = api.last("POST /wallet/deposits")!;
    expect(c.body).toEqual({ amount_cents: 500 });
    expect(c.headers["content-type"]).toBe("application/json");
    expect(c.headers.authorization).toBe(`Bearer ${NEW}`);
    expect(c.headers["idempotency-key"]).toBe("key-1");
  });

  it("does not attach the token to unauthenticated calls, nor refresh on their 401", async () => {
    const api = server().on("POST /auth/login", () => apiError(401, "INVALID_CREDENTIALS", "the email or the password is wrong"));
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    client.setAccessToken(OLD);
    await expect(client.post("/auth/login", { email: "a@b.c", password: "x" }, { auth: false })).rejects.toMatchObject({
      status: 401,
      code: "INVALID_CREDENTIALS",
      message: "the email or the password is wrong",
      requestId: "test-request",
    });
    expect(api.last("POST /auth/login")!.headers.authorization).toBeUndefined();
    expect(api.count("POST /auth/refresh")).toBe(0);
  });

  it("parses Retry-After, 204s, non-JSON errors and network failures", async () => {
    const api = new FakeApi()
      .on("POST /auth/login", () => apiError(429, "ACCOUNT_LOCKED", "locked", { "Retry-After": "900" }))
      .on("POST /auth/logout", () => json(204, null))
      .on("GET /market/status", () => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const client = new ApiClient({ fetch: api.fetch, lock: null });
    await expect(client.post("/auth/login", {}, { auth: false })).rejects.toMatchObject({ code: "ACCOUNT_LOCKED", retryAfter: 900 });
    await expect(client.post("/auth/logout", undefined, { auth: false })).resolves.toBeUndefined();
    await expect(client.get("/market/status", { auth: false })).rejects.toMatchObject({ status: 502, code: "HTTP_502" });
    const offline = new ApiClient({ fetch: () => Promise.reject(new TypeError("Failed to fetch")), lock: null });
    await expect(offline.get("/wallet")).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });
});
