// Schedule changes: the day's list (public, live on the `changes` topic) and the admin's recording of one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { keys } from "./keys";
import type { ChangeBody } from "../lib/changeForm";
import { pollEvery, useLive } from "../live";

export interface ChangeView {
  change_id: string;
  kind: "delay" | "platform" | "cancel" | "restore" | "arrived" | "added" | "removed";
  run_id: string;
  train: string;
  date: string;
  source: string;
  recorded_at: string;
  station?: string | null;
  minutes?: number | null;
  platform?: string | null;
  track?: string | null;
  from_station?: string | null;
  reason?: string | null;
}

export function useChanges(day: string) {
  const status = useLive("changes");
  return useQuery({
    queryKey: keys.changes(day),
    queryFn: async () =>
      unwrap(await api.GET("/changes", { params: { query: { date: day } } })) as unknown as ChangeView[],
    refetchInterval: pollEvery(status, 10_000),
  });
}

export function useRecordChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ runId, body }: { runId: string; body: ChangeBody }) =>
      unwrap(
        await api.POST("/admin/runs/{run_id}/changes", {
          params: { path: { run_id: runId } },
          body: body as never,
        }),
      ) as unknown as ChangeView,
    onSuccess: (_, { runId }) => {
      void client.invalidateQueries({ queryKey: ["changes"] });
      void client.invalidateQueries({ queryKey: keys.run(runId) });
    },
  });
}
