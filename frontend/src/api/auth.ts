// The one place that holds the session: the access token, who is signed in, and (later) its refresh.
// Every request takes its token from `accessToken()`; when `POST /api/auth/refresh` exists, `refresh()`
// below is the only function to fill in, and the client retries once on 401 through it.
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
let current: Session | null = load();

function load(): Session | null {
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    if (!text) return null;
    const session = JSON.parse(text) as Session;
    return session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function publish(): void {
  for (const listener of listeners) listener();
}

export function session(): Session | null {
  if (current && current.expiresAt <= Date.now()) {
    current = null;
    globalThis.localStorage?.removeItem(KEY);
  }
  return current;
}

export function accessToken(): string | null {
  return session()?.accessToken ?? null;
}

/** Keep what sign-in or registration answered (`SessionView`). */
export function signedIn(answer: { access_token: string; expires_in: number; user: SessionUser }): void {
  current = {
    accessToken: answer.access_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
    user: answer.user,
  };
  globalThis.localStorage?.setItem(KEY, JSON.stringify(current));
  publish();
}

export function signOut(): void {
  current = null;
  globalThis.localStorage?.removeItem(KEY);
  publish();
}

/** A new access token when the old one expired; none yet: the API has no refresh route today. */
export async function refresh(): Promise<boolean> {
  signOut();
  return false;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, () => current);
}
