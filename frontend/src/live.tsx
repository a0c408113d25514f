// The live connection for the whole app, and the hook a screen uses to follow a topic.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

import { accessToken, useSession } from "./api/auth";
import { LiveClient, type LiveStatus } from "./api/live";

const LiveContext = createContext<LiveClient | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const session = useSession();
  const [live, setLive] = useState<LiveClient | null>(null);
  useEffect(() => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const instance = new LiveClient(client, { url: `${scheme}://${window.location.host}/ws`, token: accessToken });
    instance.start();
    setLive(instance);
    return () => instance.stop();
  }, [client, session?.accessToken]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** Follows a topic while the screen is shown; "live" when pushes arrive, otherwise the screen polls. */
export function useLive(topic: string | null): LiveStatus {
  const live = useContext(LiveContext);
  const [status, setStatus] = useState<LiveStatus>(live?.status ?? "offline");
  useEffect(() => {
    if (!live) return;
    setStatus(live.status);
    return live.onStatus(setStatus);
  }, [live]);
  useEffect(() => {
    if (!live || !topic) return;
    return live.subscribe(topic);
  }, [live, topic]);
  return status;
}

/** How often a screen re-reads when nothing is pushed (milliseconds), or false when live. */
export function pollEvery(status: LiveStatus, ms: number): number | false {
  return status === "live" ? false : ms;
}
