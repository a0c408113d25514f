// My tickets: every booking of the signed-in passenger, soonest departure first.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useSession } from "../api/auth";
import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox, Loading, StatusBadge } from "../components/ui";
import { useFormat } from "../lib/useFormat";
import { pollEvery, useLive } from "../live";
import { useStations } from "./SearchPage";
import { SignInFirst } from "./BookingPage";

export function BookingsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const session = useSession();
  const status = useLive(session ? "user" : null);
  const stations = useStations();
  const bookings = useQuery({
    queryKey: keys.bookings(),
    queryFn: async () => unwrap(await api.GET("/bookings")),
    enabled: Boolean(session),
    refetchInterval: pollEvery(status, 10_000),
  });
  const name = (code: string) => stations.data?.find((s) => s.code === code)?.name ?? code;
  if (!session) return <SignInFirst />;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("bookings.title")}</h1>
      {bookings.isPending && <Loading />}
      {bookings.isError && <ErrorBox error={bookings.error} />}
      {bookings.data?.length === 0 && (
        <p className="rounded bg-white p-4 shadow">
          {t("bookings.empty")}{" "}
          <Link to="/search" className="text-brand underline">
            {t("nav.search")}
          </Link>
        </p>
      )}
      <ul className="space-y-3">
        {bookings.data?.map((b) => {
          const id = String(b["booking_id"]);
          const departs = String(b["departs_at"]);
          return (
            <li key={id}>
              <Link
                to={`/bookings/${id}`}
                className="flex flex-wrap items-center gap-x-6 gap-y-1 rounded-lg bg-white p-4 shadow hover:ring-2 hover:ring-brand"
                data-testid="booking-row"
              >
                <span className="font-semibold">
                  {name(String(b["origin"]))} → {name(String(b["destination"]))}
                </span>
                <span className="tabular-nums">
                  {fmt.shortDate(departs)} {fmt.time(departs)}
                </span>
                <span className="text-sm text-slate-700">
                  {t("bookings.seats", { n: (b["seats"] as string[]).length })}
                </span>
                <span className="font-medium">{fmt.money(Number(b["total_grosze"]))}</span>
                <span className="ml-auto">
                  <StatusBadge status={String(b["status"])} />
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
