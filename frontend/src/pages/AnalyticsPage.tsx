// The operator's dashboard (administrators): bookings, revenue, cancellations and failures, load factors,
// top routes and trains, searches, over a chosen range of days; it moves live with the `analytics` topic.
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { useAnalytics } from "../api/analytics";
import { useSession } from "../api/auth";
import { ApiError } from "../api/client";
import { ErrorBox, Loading } from "../components/ui";
import { dayRows, defaultRange } from "../lib/analytics";
import { warsawDay } from "../lib/format";
import { useFormat } from "../lib/useFormat";
import { SignInFirst } from "./BookingPage";
import { DateField } from "../components/DateField";

const COLORS = { gross: "#0b4f8a", refunds: "#b45309", compensation: "#b91c1c", net: "#15803d", confirmed: "#15803d", cancelled: "#64748b", failed: "#b91c1c" };

export function AnalyticsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const session = useSession();
  const [range, setRange] = useState(() => defaultRange(warsawDay()));
  const analytics = useAnalytics(range.from, range.to);
  if (!session) return <SignInFirst />;
  if (session.user.role !== "admin") return <ErrorBox error={new ApiError(403, "forbidden", "")} />;
  const a = analytics.data;
  const rows = a ? dayRows(a.days) : [];
  const money = (value: unknown) => fmt.money(Math.round(Number(value) * 100));
  const searchesByRoute = new Map<string, number>();
  for (const s of a?.searches ?? []) searchesByRoute.set(s.route, (searchesByRoute.get(s.route) ?? 0) + s.count);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("analytics.title")}</h1>
      <div className="flex flex-wrap gap-4">
        <label className="block text-sm font-medium">
          {t("analytics.from")}
          <DateField boxClassName="mt-1 w-48" className="px-2 py-1" value={range.from} max={range.to} onChange={(from) => setRange((r) => ({ ...r, from }))} name="from" />
        </label>
        <label className="block text-sm font-medium">
          {t("analytics.to")}
          <DateField boxClassName="mt-1 w-48" className="px-2 py-1" value={range.to} min={range.from} onChange={(to) => setRange((r) => ({ ...r, to }))} name="to" />
        </label>
      </div>
      {analytics.isPending && <Loading />}
      {analytics.isError && <ErrorBox error={analytics.error} />}
      {a && (
        <>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-5" data-testid="analytics-totals">
            {[
              ["confirmed", t("analytics.confirmed"), String(a.totals.confirmed)],
              ["seats", t("analytics.seats"), String(a.totals.seats_sold)],
              ["cancelled", t("analytics.cancelled"), String(a.totals.cancelled)],
              ["failed", t("analytics.failed"), String(a.totals.failed)],
              ["searches", t("analytics.searches"), String(a.totals.searches)],
              ["gross", t("analytics.gross"), fmt.money(a.totals.revenue.gross_grosze)],
              ["refunds", t("analytics.refunds"), fmt.money(a.totals.revenue.refunds_grosze)],
              ["compensation", t("analytics.compensation"), fmt.money(a.totals.revenue.compensation_grosze)],
              ["net", t("analytics.net"), fmt.money(a.totals.revenue.net_grosze)],
              ["load", t("analytics.loadFactor"), fmt.percent(a.totals.load_factor)],
            ].map(([id, label, value]) => (
              <div key={id} className="rounded-lg bg-white p-3 shadow" data-testid={`total-${id}`}>
                <dt className="text-xs text-slate-700">{label}</dt>
                <dd className="text-xl font-bold">{value}</dd>
              </div>
            ))}
          </dl>
          <div className="grid gap-6 lg:grid-cols-2">
            <Panel title={t("analytics.revenueChart")}>
              <div className="h-64" role="img" aria-label={t("analytics.revenueChart")}>
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={rows}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" />
                    <YAxis />
                    <Tooltip formatter={money} />
                    <Legend />
                    {(["gross", "refunds", "compensation", "net"] as const).map((k) => (
                      <Bar key={k} dataKey={k} name={t(`analytics.${k}`)} fill={COLORS[k]} isAnimationActive={false} />
                    ))}
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </Panel>
            <Panel title={t("analytics.bookingsChart")}>
              <div className="h-64" role="img" aria-label={t("analytics.bookingsChart")}>
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={rows}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Legend />
                    {(["confirmed", "cancelled", "failed"] as const).map((k) => (
                      <Bar key={k} dataKey={k} name={t(`analytics.${k}`)} fill={COLORS[k]} stackId="b" isAnimationActive={false} />
                    ))}
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </Panel>
          </div>
          <div className="grid gap-6 lg:grid-cols-2">
            <Panel title={t("analytics.topRoutes")}>
              <Table
                testId="top-routes"
                head={[t("analytics.route"), t("analytics.confirmed"), t("analytics.gross"), t("analytics.searches")]}
                rows={a.top_routes.map((r) => [`${r.origin} → ${r.destination}`, r.confirmed, fmt.money(r.revenue.gross_grosze), r.searches])}
                empty={t("analytics.none")}
              />
            </Panel>
            <Panel title={t("analytics.topTrains")}>
              <Table
                testId="top-trains"
                head={[t("analytics.train"), t("analytics.confirmed"), t("analytics.gross"), t("analytics.loadFactor")]}
                rows={a.top_trains.map((r) => [r.train, r.confirmed, fmt.money(r.revenue.gross_grosze), fmt.percent(r.load_factor)])}
                empty={t("analytics.none")}
              />
            </Panel>
            <Panel title={t("analytics.failureReasons")}>
              <Table
                testId="failure-reasons"
                head={[t("analytics.reason"), t("analytics.count")]}
                rows={a.failure_reasons.map((r) => [t(`reasons.${r.reason}`, { defaultValue: r.reason }), r.count])}
                empty={t("analytics.none")}
              />
            </Panel>
            <Panel title={t("analytics.loadFactors")}>
              <Table
                testId="run-loads"
                head={[t("analytics.train"), t("analytics.date"), t("analytics.passengerKm"), t("analytics.loadFactor")]}
                rows={[...a.load_factors.runs]
                  .sort((x, y) => y.load_factor - x.load_factor)
                  .slice(0, 10)
                  .map((r) => [r.train, fmt.shortDate(`${r.date}T12:00:00Z`), r.passenger_km.toLocaleString(fmt.language === "pl" ? "pl-PL" : "en-GB"), fmt.percent(r.load_factor)])}
                empty={t("analytics.none")}
              />
            </Panel>
            <Panel title={t("analytics.searchesByRoute")}>
              <Table
                testId="searches"
                head={[t("analytics.route"), t("analytics.count")]}
                rows={[...searchesByRoute.entries()].sort((x, y) => y[1] - x[1]).map(([route, count]) => [route.replace("-", " → "), count])}
                empty={t("analytics.none")}
              />
            </Panel>
          </div>
        </>
      )}
    </div>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="min-w-0 rounded-lg bg-white p-3 shadow">
      <h2 className="mb-2 text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

function Table({ head, rows, empty, testId }: { head: string[]; rows: (string | number)[][]; empty: string; testId: string }) {
  if (rows.length === 0) return <p className="text-sm text-slate-700">{empty}</p>;
  // On a phone a row is a small card: its first cell as the title, the others as label and value lines, so no
  // column is cut off. The roles keep it a table for screen readers once CSS makes its parts blocks, and the
  // labels drawn before the values have empty alternative text, as the column headers already name them.
  const stacked = "max-sm:block";
  return (
    <table role="table" className={`w-full text-left text-sm ${stacked}`} data-testid={testId}>
      <thead role="rowgroup" className="max-sm:sr-only">
        <tr role="row" className="border-b border-slate-200">
          {head.map((h, i) => (
            <th role="columnheader" scope="col" key={h} className={`whitespace-nowrap px-1 py-1 ${i > 0 ? "text-right" : ""}`}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup" className={stacked}>
        {rows.map((row, r) => (
          <tr role="row" key={r} className={`border-b border-slate-100 ${stacked} max-sm:py-1`}>
            {row.map((cell, i) => (
              <td
                role="cell"
                key={i}
                data-label={head[i]}
                className={
                  i === 0
                    ? `whitespace-nowrap px-1 py-1 ${stacked} max-sm:font-semibold`
                    : 'whitespace-nowrap px-1 py-1 text-right tabular-nums max-sm:flex max-sm:justify-between max-sm:gap-3 max-sm:py-0 max-sm:before:text-slate-700 max-sm:before:content-[attr(data-label)_/_""]'
                }
              >
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
