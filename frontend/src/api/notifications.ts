// The signed-in user's inbox: the query every screen shares (header count and inbox page) and the read mark.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { useSession } from "./auth";
import { api, unwrap } from "./client";
import { keys } from "./keys";
import { pollEvery, useLive } from "../live";

export interface Notification {
  id: string;
  kind: string | null;
  booking_id: string | null;
  run_id: string | null;
  text: string;
  texts?: { pl?: string | null; en?: string | null };
  at: string | null;
  read: boolean;
}

export interface Inbox {
  unread: number;
  notifications: Notification[];
}

/** How often the inbox is re-read while live: a notice is written by a consumer after the change's own
 * push, so a `changes` message can arrive before its notice; a slow re-read catches that gap when the
 * server sends no `notification` message on the `user` topic. */
export const INBOX_LIVE_POLL_MS = 15_000;

/** The inbox, followed live on the `user` and `changes` topics (any message on them re-reads it). */
export function useInbox() {
  const session = useSession();
  const status = useLive(session ? "user" : null);
  useLive(session ? "changes" : null);
  return useQuery({
    queryKey: keys.notifications(),
    queryFn: async () => unwrap(await api.GET("/me/notifications")) as unknown as Inbox,
    enabled: Boolean(session),
    refetchInterval: pollEvery(status, 10_000) || INBOX_LIVE_POLL_MS,
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST("/me/notifications/{notification_id}/read", { params: { path: { notification_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.notifications() }),
  });
}
