// The analytics dashboard's data over a range of days, moving live with the `analytics` topic.
import { useQuery } from "@tanstack/react-query";

import { useSession } from "./auth";
import { api, unwrap } from "./client";
import { keys } from "./keys";
import type { DayFigures } from "../lib/analytics";
import { pollEvery, useLive } from "../live";

export interface Money {
  gross_grosze: number;
  refunds_grosze: number;
  compensation_grosze: number;
  net_grosze: number;
}

export interface Figures {
  requested: number;
  confirmed: number;
  failed: number;
  cancelled: number;
  seats_sold: number;
  revenue: Money;
  passenger_km: number;
}

export interface Analytics {
  from: string;
  to: string;
  totals: Figures & { searches: number; load_factor: number };
  days: (DayFigures & Figures)[];
  top_routes: (Figures & { origin: string; destination: string; searches: number })[];
  top_trains: (Figures & { train: string; number: string; load_factor: number })[];
  failure_reasons: { reason: string; count: number }[];
  load_factors: {
    runs: { run_id: string; train: string; date: string; passenger_km: number; seat_km: number; load_factor: number }[];
    trains: { number: string; passenger_km: number; seat_km: number; load_factor: number }[];
  };
  searches: { date: string; route: string; count: number }[];
}

export function useAnalytics(from: string, to: string) {
  const session = useSession();
  const admin = session?.user.role === "admin";
  const status = useLive(admin ? "analytics" : null);
  return useQuery({
    queryKey: keys.analytics(from, to),
    queryFn: async () =>
      unwrap(await api.GET("/admin/analytics", { params: { query: { from, to } } })) as unknown as Analytics,
    enabled: admin && Boolean(from) && Boolean(to),
    refetchInterval: pollEvery(status, 10_000),
    placeholderData: (previous) => previous,
  });
}
