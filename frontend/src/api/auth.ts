// The one place that holds the session: the access token (15 minutes, in memory and localStorage) and who
// is signed in. The refresh token is the API's httpOnly cookie, never readable here: `refresh()` trades it
// for a new access token when the old one has expired (at start, after a reload, or on a 401).
import { useSyncExternalStore } from "react";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  display_name: string;
  role: "passenger" | "admin";
  default_discount?: string | null;
}

export interface Session {
  accessToken: string;
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number;
  user: SessionUser;
}

const KEY = "trainbook.session";
const listeners = new Set<() => void>();
// An expired access token still means signed in: the refresh cookie renews it on the next call.
let current: Session | null = stored();

function stored(): Session | null {
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}


function publish(): void {
  for (const listener of listeners) listener();
}

/** Milliseconds of margin: a token this close to its end is renewed before it is sent. */
const MARGIN_MS = 10_000;

/** The access token while it still works, otherwise null. */
export function accessToken(): string | null {
  return current && current.expiresAt - MARGIN_MS > Date.now() ? current.accessToken : null;
}

/** The access token for a call: the current one, or a renewed one when it has expired; null if signed out. */
export async function freshAccessToken(): Promise<string | null> {
  if (!current) return null;
  return accessToken() ?? ((await refresh()) ? accessToken() : null);
}

/** Keep what sign-in or registration answered (`SessionView`). */
export function signedIn(answer: { access_token: string; expires_in: number; user: SessionUser }): void {
  current = {
    accessToken: answer.access_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
    user: answer.user,
  };
  globalThis.localStorage?.setItem(KEY, JSON.stringify(current));
  renewBeforeExpiry(current.expiresAt);
  publish();
}

let renewal: ReturnType<typeof setTimeout> | undefined;

/** Renew the token just before it ends, so the live connection reconnects with a working one too. */
function renewBeforeExpiry(expiresAt: number): void {
  clearTimeout(renewal);
  renewal = setTimeout(() => void refresh(), Math.max(0, expiresAt - MARGIN_MS - Date.now()));
}

function forget(): void {
  clearTimeout(renewal);
  current = null;
  globalThis.localStorage?.removeItem(KEY);
  publish();
}

/** Signs out here and revokes the refresh token (its cookie) at the API. */
export function signOut(): void {
  forget();
  void fetch("/api/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
}

let refreshing: Promise<boolean> | null = null;

/** A new access token from the refresh cookie; false (and signed out) when the API refuses it. */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const answer = await fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" });
      if (!answer.ok) {
        forget();
        return false;
      }
      signedIn((await answer.json()) as { access_token: string; expires_in: number; user: SessionUser });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** At start: a passenger whose access token expired since the last visit stays signed in by the cookie. */
export function resume(): void {
  if (current && !accessToken()) void refresh();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, () => current);
}
