// Sales of one day for administrators, on the route the API has today (`GET /admin/sales`).
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { useSession } from "../api/auth";
import { api, unwrap } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox, Loading } from "../components/ui";
import { warsawDay } from "../lib/format";
import { useFormat } from "../lib/useFormat";
import { pollEvery, useLive } from "../live";
import { SignInFirst } from "./BookingPage";
import { DateField } from "../components/DateField";

export function SalesPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const session = useSession();
  const status = useLive(session?.user.role === "admin" ? "analytics" : null);
  const [day, setDay] = useState(warsawDay());
  const sales = useQuery({
    queryKey: keys.sales(day),
    queryFn: async () => unwrap(await api.GET("/admin/sales", { params: { query: { day } } })) as Record<string, number | string>,
    enabled: Boolean(session),
    refetchInterval: pollEvery(status, 5_000),
  });
  if (!session) return <SignInFirst />;
  const n = (name: string) => Number(sales.data?.[name] ?? 0);
  const money = [
    { name: t("sales.revenue"), value: n("revenue_grosze") / 100 },
    { name: t("sales.refunds"), value: n("refunds_grosze") / 100 },
    { name: t("sales.net"), value: (n("revenue_grosze") - n("refunds_grosze")) / 100 },
  ];
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("sales.title")}</h1>
      <label className="block text-sm font-medium">
        {t("sales.day")}
        <DateField boxClassName="mt-1 w-48" className="px-2 py-1" value={day} onChange={setDay} name="day" />
      </label>
      {sales.isPending && <Loading />}
      {sales.isError && <ErrorBox error={sales.error} />}
      {sales.data && (
        <>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
            {[
              [t("sales.confirmed"), String(n("bookings_confirmed"))],
              [t("sales.seats"), String(n("seats_sold"))],
              [t("sales.revenue"), fmt.money(n("revenue_grosze"))],
              [t("sales.cancelled"), String(n("bookings_cancelled"))],
              [t("sales.refunds"), fmt.money(n("refunds_grosze"))],
              [t("sales.net"), fmt.money(n("revenue_grosze") - n("refunds_grosze"))],
            ].map(([label, value]) => (
              <div key={label} className="rounded-lg bg-white p-3 shadow">
                <dt className="text-xs text-slate-600">{label}</dt>
                <dd className="text-xl font-bold">{value}</dd>
              </div>
            ))}
          </dl>
          <div className="h-64 rounded-lg bg-white p-3 shadow" role="img" aria-label={t("sales.chart")}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={money}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis />
                <Tooltip formatter={(value) => fmt.money(Math.round(Number(value) * 100))} />
                <Bar dataKey="value" fill="#0b4f8a" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
    </div>
  );
}
