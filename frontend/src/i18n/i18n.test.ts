import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { en } from "./en";
import { pl } from "./pl";

function flatten(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : flatten(value as object, `${prefix}${key}.`),
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("translations", () => {
  const polish = flatten(pl).sort();
  const english = flatten(en).sort();

  it("have the same keys in Polish and English", () => {
    expect(english).toEqual(polish);
  });

  it("have no empty text", () => {
    const empty = (tree: object) => flatten(tree).filter((key) => key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], tree) === "");
    expect(empty(pl)).toEqual([]);
    expect(empty(en)).toEqual([]);
  });

  it("cover every key the screens use", () => {
    const root = join(__dirname, "..");
    const used = new Set<string>();
    for (const file of sources(root)) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bt\("([a-zA-Z0-9_.]+)"/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((key) => !polish.includes(key))).toEqual([]);
  });

  it("cover every saga state, booking event and seat position the API names", () => {
    const states = ["QuoteFare", "HoldSeats", "AuthorizePayment", "ConfirmBooking", "CapturePayment", "IssueTicket", "CompensatePayment", "ReleaseSeats", "MarkBookingFailed", "QuoteRefund", "RefundPayment", "RecordCancellation"];
    for (const state of states) expect(polish).toContain(`saga.${state}`);
    for (const position of ["window", "aisle", "middle"]) expect(polish).toContain(`seatmap.position.${position}`);
    for (const status of ["REQUESTED", "HELD", "CONFIRMED", "FAILED", "CANCELLED"]) expect(polish).toContain(`status.${status}`);
  });
});
