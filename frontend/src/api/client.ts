// The typed API client: paths and bodies come from the backend's OpenAPI document (schema.d.ts).
import createClient, { type Middleware } from "openapi-fetch";

import { accessToken, freshAccessToken, refresh } from "./auth";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** The REST API's base: the stage path, on `trainbook up` and behind CloudFront alike. */
export const API_BASE = "/api";

/** Each request as it was before it was sent: a 401 is answered by renewing the token and sending it again. */
const unsent = new WeakMap<Request, Request>();

const withToken: Middleware = {
  async onRequest({ request }) {
    if (request.headers.has("Authorization")) return request;
    const token = await freshAccessToken();
    if (!token) return request;
    request.headers.set("Authorization", `Bearer ${token}`);
    unsent.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const copy = unsent.get(request);
    if (response.status !== 401 || !copy || !(await refresh())) return response;
    const token = accessToken();
    if (!token) return response;
    copy.headers.set("Authorization", `Bearer ${token}`);
    return fetch(copy);
  },
};

/** A client of the API at `baseUrl` that sends the session's token (tests give an absolute base). */
export function createApi(baseUrl: string) {
  // `fetch` is looked up at each call (not captured once), as the token middleware's retry does.
  const client = createClient<paths>({ baseUrl, fetch: (request) => globalThis.fetch(request) });
  client.use(withToken);
  return client;
}

export const api = createApi(API_BASE);

/** An answer in the API's one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** The data of a successful call, or an ApiError with the API's code and message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = (result.error ?? {}) as ErrorBody;
  // API Gateway's own throttling answer is not in the API's error shape.
  const fallback = result.response.status === 429 ? "too_many_requests" : `http_${result.response.status}`;
  throw new ApiError(
    result.response.status,
    body.error?.code ?? fallback,
    body.error?.message ?? result.response.statusText,
  );
}

/** A binary download (the ticket's PDF) with the session's token. */
export async function download(path: string): Promise<Blob> {
  const token = await freshAccessToken();
  const answer = await fetch(`${API_BASE}${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!answer.ok) throw new ApiError(answer.status, `http_${answer.status}`, answer.statusText);
  return await answer.blob();
}
