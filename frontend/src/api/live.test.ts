import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import { keys } from "./keys";
import { LiveClient, queriesOf, type SocketLike } from "./live";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, string>[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, string>);
  }
  close() {
    this.readyState = 3;
    this.onclose?.({});
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function setup(token: string | null = null) {
  const client = new QueryClient();
  const sockets: FakeSocket[] = [];
  const later: (() => void)[] = [];
  const live = new LiveClient(client, {
    url: "ws://app/ws",
    token: () => token,
    factory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    schedule: (run) => later.push(run),
  });
  return { client, live, sockets, later };
}

const stale = (client: QueryClient, key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;

describe("the live client", () => {
  it("connects with the token and subscribes to the topics wanted, once each", () => {
    const { live, sockets } = setup("abc");
    live.subscribe("run:r1");
    live.subscribe("run:r1");
    live.start();
    const socket = sockets[0]!;
    expect(socket.url).toBe("ws://app/ws?token=abc");
    socket.open();
    expect(live.status).toBe("live");
    expect(socket.sent).toEqual([{ action: "subscribe", topic: "run:r1" }]);
  });

  it("unsubscribes when the last screen that wanted a topic leaves", () => {
    const { live, sockets } = setup();
    live.start();
    sockets[0]!.open();
    const first = live.subscribe("booking:b1");
    const second = live.subscribe("booking:b1");
    first();
    expect(sockets[0]!.sent.filter((m) => m.action === "unsubscribe")).toHaveLength(0);
    second();
    expect(sockets[0]!.sent.at(-1)).toEqual({ action: "unsubscribe", topic: "booking:b1" });
  });

  it("invalidates the run's seat maps when a seat push arrives, and nothing of other runs", () => {
    const { client, live, sockets } = setup();
    client.setQueryData(keys.seatMap("r1", "GDG", "KRK"), { cars: [] });
    client.setQueryData(keys.seatMap("r2", "GDG", "KRK"), { cars: [] });
    live.subscribe("run:r1");
    live.start();
    sockets[0]!.open();
    client.setQueryData(keys.seatMap("r1", "GDG", "KRK"), { cars: [] }); // fresh again after the reconnect re-read
    sockets[0]!.push({ topic: "run:r1", type: "seats_sold", data: { seats: ["05-045"] }, at: "2026-12-01T10:00:00Z", seq: 1 });
    expect(stale(client, keys.seatMap("r1", "GDG", "KRK"))).toBe(true);
    expect(stale(client, keys.seatMap("r2", "GDG", "KRK"))).toBe(false);
  });

  it("writes a booking's new status into the cache at once", () => {
    const { client, live, sockets } = setup("abc");
    client.setQueryData(keys.booking("b1"), { booking_id: "b1", status: "HELD" });
    live.subscribe("booking:b1");
    live.start();
    sockets[0]!.open();
    sockets[0]!.push({
      topic: "booking:b1",
      type: "status",
      data: { status: "FAILED", failure: { code: "card_declined", message: "declined" } },
      at: "2026-12-01T10:00:00Z",
      seq: 4,
    });
    expect(client.getQueryData(keys.booking("b1"))).toEqual({
      booking_id: "b1",
      status: "FAILED",
      failure: { code: "card_declined", message: "declined" },
    });
  });

  it("ignores a duplicate or older message of a topic, and messages of topics not wanted", () => {
    const { client, live, sockets } = setup("abc");
    live.subscribe("booking:b1");
    live.start();
    sockets[0]!.open();
    client.setQueryData(keys.booking("b1"), { status: "HELD" });
    const push = (seq: number, status: string) =>
      sockets[0]!.push({ topic: "booking:b1", type: "status", data: { status }, at: "2026-12-01T10:00:00Z", seq });
    push(5, "CONFIRMED");
    push(4, "HELD");
    push(5, "HELD");
    sockets[0]!.push({ topic: "booking:other", type: "status", data: { status: "FAILED" }, at: "x", seq: 1 });
    expect(client.getQueryData<{ status: string }>(keys.booking("b1"))?.status).toBe("CONFIRMED");
  });

  it("survives frames that are not JSON or not pushes (replies to subscribe, errors)", () => {
    const { live, sockets } = setup();
    live.subscribe("run:r1");
    live.start();
    sockets[0]!.open();
    sockets[0]!.onmessage?.({ data: "not json" });
    sockets[0]!.push({ type: "subscribed", topic: "run:r1" });
    sockets[0]!.push({ type: "error", error: { code: "forbidden", message: "no" } });
    expect(live.status).toBe("live");
  });

  it("falls back to offline when the socket closes, reconnects later and subscribes again", () => {
    const { client, live, sockets, later } = setup();
    client.setQueryData(keys.seatMap("r1", "GDG", "KRK"), { cars: [] });
    live.subscribe("run:r1");
    live.start();
    sockets[0]!.open();
    client.setQueryData(keys.seatMap("r1", "GDG", "KRK"), { cars: [] });
    sockets[0]!.close();
    expect(live.status).toBe("offline");
    expect(later).toHaveLength(1);
    later[0]!();
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ action: "subscribe", topic: "run:r1" }]);
    // What happened while disconnected was missed: the seat map is read again once the topic is followed.
    sockets[1]!.push({ type: "subscribed", topic: "run:r1" });
    expect(stale(client, keys.seatMap("r1", "GDG", "KRK"))).toBe(true);
  });

  it("reads a topic's queries again when its subscription is confirmed, not before", () => {
    const { client, live, sockets } = setup();
    live.start();
    sockets[0]!.open();
    client.setQueryData(keys.booking("b1"), { status: "HELD" });
    client.setQueryData(keys.booking("b2"), { status: "HELD" });
    live.subscribe("booking:b1");
    // The first read may have been made before the subscription took effect: a message sent in between is
    // lost, so the page would wait for a push that never comes.
    expect(stale(client, keys.booking("b1"))).toBe(false);
    sockets[0]!.push({ type: "subscribed", topic: "booking:b1" });
    expect(stale(client, keys.booking("b1"))).toBe(true);
    // A confirmation for a topic nobody follows (any more) changes nothing.
    sockets[0]!.push({ type: "subscribed", topic: "booking:b2" });
    expect(stale(client, keys.booking("b2"))).toBe(false);
  });

  it("stays offline (screens poll) when the server has no WebSocket", () => {
    const { live, sockets } = setup();
    live.start();
    sockets[0]!.close();
    expect(live.status).toBe("offline");
  });
});

describe("which queries a topic concerns", () => {
  it("re-reads the inbox on any message of the user's topic and on a schedule change", () => {
    expect(queriesOf("user")).toContainEqual(["notifications"]);
    expect(queriesOf("changes")).toContainEqual(["notifications"]);
    expect(queriesOf("changes")).toContainEqual(["changes"]);
  });

  it("moves the dashboard and the sales page with the analytics topic", () => {
    expect(queriesOf("analytics")).toEqual([["analytics"], ["sales"]]);
  });
});
