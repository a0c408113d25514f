// Time travel: the seat map as it was at any instant, folded from the event store (`seatmap?at=`).
// The slider stops at every instant the run's seats changed, one before the first, and now.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { useFormat } from "../lib/useFormat";
import { SeatMap } from "./SeatMap";

async function seatMapAt(runId: string, from: string, to: string, at: string) {
  return unwrap(
    await api.GET("/runs/{run_id}/seatmap", { params: { path: { run_id: runId }, query: { from, to, at } } }),
  );
}

export function TimeTravel({
  runId,
  from,
  to,
  at,
  onChange,
  preferredClass,
}: {
  runId: string;
  from: string;
  to: string;
  at: string | null;
  onChange: (at: string | null) => void;
  preferredClass: number;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [openedAt, setOpenedAt] = useState<string | null>(null);
  const timeline = useQuery({
    queryKey: ["timeline", runId, from, to, openedAt],
    queryFn: async () => {
      const now = openedAt ?? new Date().toISOString();
      const map = await seatMapAt(runId, from, to, now);
      const changes = map.changes ?? [];
      const first = changes[0];
      const before = first ? new Date(new Date(first).getTime() - 1000).toISOString() : null;
      return [...(before ? [before] : []), ...changes.filter((c) => c < now), now];
    },
    enabled: openedAt !== null,
  });
  const past = useQuery({
    queryKey: keys.seatMapAt(runId, from, to, at ?? ""),
    queryFn: async () => seatMapAt(runId, from, to, at ?? ""),
    enabled: at !== null,
    placeholderData: keepPreviousData,
  });
  const positions = timeline.data ?? [];
  const index = at ? Math.max(0, positions.indexOf(at)) : positions.length - 1;

  if (openedAt === null) {
    return (
      <button
        type="button"
        className="mt-4 rounded border border-brand px-3 py-1 text-sm text-brand"
        onClick={() => setOpenedAt(new Date().toISOString())}
      >
        ⟲ {t("timetravel.open")}
      </button>
    );
  }
  return (
    <div className="mt-4 space-y-3 border-t border-slate-200 pt-3" data-testid="time-travel">
      <p className="text-sm text-slate-700">{t("timetravel.explain")}</p>
      {positions.length > 0 && (
        <div className="space-y-1">
          <label htmlFor="time-slider" className="block text-sm font-medium">
            {t("timetravel.at")}: <span data-testid="time-travel-at">{fmt.instant(positions[index] ?? "")}</span>
          </label>
          <input
            id="time-slider"
            type="range"
            min={0}
            max={positions.length - 1}
            step={1}
            value={index}
            aria-valuetext={fmt.instant(positions[index] ?? "")}
            className="w-full"
            onChange={(event) => onChange(positions[Number(event.target.value)] ?? null)}
          />
          <div className="flex justify-between text-xs text-slate-600">
            <span>{fmt.instant(positions[0] ?? "")}</span>
            <span>{fmt.instant(positions[positions.length - 1] ?? "")}</span>
          </div>
        </div>
      )}
      {at && past.data && <SeatMap cars={past.data.cars} selected={[]} readOnly preferredClass={preferredClass} />}
      <button
        type="button"
        className="rounded border border-slate-400 px-3 py-1 text-sm"
        onClick={() => {
          setOpenedAt(null);
          onChange(null);
        }}
      >
        {t("timetravel.close")}
      </button>
    </div>
  );
}
