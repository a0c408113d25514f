// The WebSocket client of the live API (issue 11's protocol): subscribes to topics and turns each
// pushed message into a TanStack Query cache update or invalidation, so screens re-render by themselves.
//
// Protocol: connect to /ws (?token=<access token> when signed in); send {"action": "subscribe"|
// "unsubscribe", "topic"} and {"action": "ping"}; receive replies {"type": "subscribed"|"unsubscribed"|
// "pong"|"error"} and pushes {"topic", "type", "data", "at", "seq"} with seq increasing per topic.
// A push is never newer than what a read made after it returns, so invalidating is always correct;
// a gap in seq means a message may have been missed: every query of that topic is invalidated too, and so is
// every query of a topic when its subscription is confirmed (a read made before may have missed one).
import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { keys } from "./keys";

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export type LiveStatus = "connecting" | "live" | "offline";

export interface Push {
  topic: string;
  type: string;
  data: Record<string, unknown>;
  at: string;
  seq: number;
}

const OPEN = 1;
const FINAL = new Set(["CONFIRMED", "FAILED", "CANCELLED"]);

/** The queries a topic's messages concern (what to refetch when one arrives or one was missed). */
export function queriesOf(topic: string): QueryKey[] {
  const [kind, id = ""] = topic.split(/:(.*)/s);
  switch (kind) {
    case "run":
      return [keys.seatMaps(id), keys.run(id), keys.searches()];
    case "booking":
      return [keys.booking(id), keys.trace(id), keys.events(id), keys.bookings()];
    case "user":
      // Any message on the user's topic (a booking's status, a `notification` push) may change the inbox.
      return [keys.bookings(), keys.notifications()];
    case "changes":
      // A change notifies the passengers it touches: their inbox is re-read too.
      return [["changes"], keys.searches(), keys.notifications(), ["run"]];
    case "analytics":
      return [["analytics"], ["sales"]];
    default:
      return [];
  }
}

/** Applies one push to the cache: a booking's new status at once, then a refetch of what it concerns. */
export function applyPush(client: QueryClient, push: Push): void {
  const [kind, id = ""] = push.topic.split(/:(.*)/s);
  const status = push.data["status"];
  if (kind === "booking" && typeof status === "string") {
    client.setQueryData(keys.booking(id), (old: Record<string, unknown> | undefined) =>
      old ? { ...old, status, ...(FINAL.has(status) ? pick(push.data, ["failure", "refund_grosze"]) : {}) } : old,
    );
  }
  for (const key of queriesOf(push.topic)) {
    void client.invalidateQueries({ queryKey: key });
  }
}

function pick(data: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => n in data).map((n) => [n, data[n]]));
}

export interface LiveOptions {
  url: string;
  token?: () => string | null;
  factory?: SocketFactory;
  /** Milliseconds before the first reconnect; doubles each time, up to a minute. */
  retryMs?: number;
  schedule?: (run: () => void, ms: number) => unknown;
}

export class LiveClient {
  private socket: SocketLike | null = null;
  private readonly topics = new Map<string, number>(); // topic -> how many screens want it
  private readonly lastSeq = new Map<string, number>();
  private readonly listeners = new Set<(status: LiveStatus) => void>();
  private retry: number;
  private stopped = true;
  status: LiveStatus = "offline";

  constructor(
    private readonly client: QueryClient,
    private readonly options: LiveOptions,
  ) {
    this.retry = options.retryMs ?? 2000;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close(1000);
    this.socket = null;
    this.setStatus("offline");
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Wants a topic's messages until the returned function is called. */
  subscribe(topic: string): () => void {
    const count = this.topics.get(topic) ?? 0;
    this.topics.set(topic, count + 1);
    if (count === 0) this.send({ action: "subscribe", topic });
    return () => {
      const left = (this.topics.get(topic) ?? 1) - 1;
      if (left > 0) {
        this.topics.set(topic, left);
        return;
      }
      this.topics.delete(topic);
      this.lastSeq.delete(topic);
      this.send({ action: "unsubscribe", topic });
    };
  }

  /** One raw frame from the server. Bad frames are ignored: the server is the one to be strict. */
  receive(raw: unknown): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(String(raw)) as Record<string, unknown>;
    } catch {
      return;
    }
    if (message["type"] === "subscribed" && typeof message["topic"] === "string") {
      this.subscribed(message["topic"]);
      return;
    }
    if (typeof message["topic"] !== "string" || typeof message["seq"] !== "number") return;
    const push = message as unknown as Push;
    if (!this.topics.has(push.topic)) return;
    const last = this.lastSeq.get(push.topic);
    if (last !== undefined && push.seq <= last) return; // a duplicate or a late one: already applied
    this.lastSeq.set(push.topic, push.seq);
    applyPush(this.client, { ...push, data: push.data ?? {} });
  }

  private connect(): void {
    if (this.stopped) return;
    const factory = this.options.factory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const token = this.options.token?.();
    const url = token ? `${this.options.url}?token=${encodeURIComponent(token)}` : this.options.url;
    this.setStatus("connecting");
    let socket: SocketLike;
    try {
      socket = factory(url);
    } catch {
      this.reconnectLater();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.retry = this.options.retryMs ?? 2000;
      this.setStatus("live");
      // Whatever happened while disconnected was missed: each topic is read again once it is followed.
      for (const topic of this.topics.keys()) this.send({ action: "subscribe", topic });
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => undefined; // onclose follows and decides
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.lastSeq.clear();
      this.reconnectLater();
    };
  }

  /**
   * A topic is followed from now on. A read made before (the screen's first, or one while disconnected)
   * may have missed a message sent before the subscription took effect: the topic's queries are read again.
   */
  private subscribed(topic: string): void {
    if (!this.topics.has(topic)) return;
    for (const key of queriesOf(topic)) void this.client.invalidateQueries({ queryKey: key });
  }

  private reconnectLater(): void {
    this.setStatus("offline");
    if (this.stopped) return;
    const wait = this.retry;
    this.retry = Math.min(this.retry * 2, 60_000);
    (this.options.schedule ?? ((run, ms) => setTimeout(run, ms)))(() => this.connect(), wait);
  }

  private send(message: Record<string, string>): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }
}
