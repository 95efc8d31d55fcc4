// A scripted stand-in for the API in component tests: routes "METHOD /path" to handlers, records every
// call (method, path, headers, body) and answers with real Response objects, as fetch would.

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  if (status === 204) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export function apiError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: { code, message, request_id: "test-request" } }, headers);
}

export class FakeApi {
  readonly calls: Call[] = [];
  private readonly routes = new Map<string, Handler>();

  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  count(route: string): number {
    return this.calls.filter((c) => `${c.method} ${c.path.split("?")[0]}` === route).length;
  }

  last(route: string): Call | undefined {
    return this.calls.filter((c) => `${c.method} ${c.path.split("?")[0]}` === route).at(-1);
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://parity.test");
    const path = url.pathname.replace(/^\/api\/v1/, "") + url.search;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v;
    const method = init.method ?? "GET";
    const call: Call = {
      method,
      path,
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
      credentials: init.credentials,
    };
    this.calls.push(call);
    const handler = this.routes.get(`${method} ${url.pathname.replace(/^\/api\/v1/, "")}`);
    if (!handler) return apiError(404, "NOT_FOUND", `no route for ${method} ${path}`);
    return handler(call);
  };
}

/** A promise with its resolve exposed, to hold an answer back until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
