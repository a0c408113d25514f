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

/** The inbox, followed live on the `user` topic: the server pushes `notification` there once the inbox shows
 * a new notice (and `booking_status` for bookings); any message on it re-reads the inbox. */
export function useInbox() {
  const session = useSession();
  const status = useLive(session ? "user" : null);
  return useQuery({
    queryKey: keys.notifications(),
    queryFn: async () => unwrap(await api.GET("/me/notifications")) as unknown as Inbox,
    enabled: Boolean(session),
    refetchInterval: pollEvery(status, 10_000),
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
