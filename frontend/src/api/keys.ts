// Query keys of the server state, in one place: the live client and the screens must agree on them.
export const keys = {
  stations: () => ["stations"] as const,
  discounts: () => ["discounts"] as const,
  search: (from: string, to: string, date: string, passengers: number) =>
    ["search", from, to, date, passengers] as const,
  searches: () => ["search"] as const,
  run: (runId: string) => ["run", runId] as const,
  seatMap: (runId: string, from: string, to: string) => ["seatmap", runId, from, to] as const,
  seatMaps: (runId: string) => ["seatmap", runId] as const,
  seatMapAt: (runId: string, from: string, to: string, at: string) =>
    ["seatmap-at", runId, from, to, at] as const,
  bookings: () => ["bookings"] as const,
  booking: (id: string) => ["booking", id] as const,
  trace: (id: string) => ["trace", id] as const,
  events: (id: string) => ["events", id] as const,
  ticket: (id: string) => ["ticket", id] as const,
  refund: (id: string) => ["refund", id] as const,
  sales: (day: string) => ["sales", day] as const,
  notifications: () => ["notifications"] as const,
  changes: (day: string) => ["changes", day] as const,
  analytics: (from: string, to: string) => ["analytics", from, to] as const,
};
