// The typed API client: paths and bodies come from the backend's OpenAPI document (schema.d.ts).
import createClient, { type Middleware } from "openapi-fetch";

import { accessToken, refresh } from "./auth";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** The REST API's base: the stage path, on `trainbook up` and behind CloudFront alike. */
export const API_BASE = "/api";

const withToken: Middleware = {
  onRequest({ request }) {
    const token = accessToken();
    if (token && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${token}`);
    }
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401 && accessToken()) {
      await refresh();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: API_BASE });
api.use(withToken);

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
  const token = accessToken();
  const answer = await fetch(`${API_BASE}${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!answer.ok) throw new ApiError(answer.status, `http_${answer.status}`, answer.statusText);
  return await answer.blob();
}
