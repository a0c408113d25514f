// The inbox: the user's notices newest first, unread ones marked, each one readable and linked to its booking.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useInbox, useMarkRead } from "../api/notifications";
import { useSession } from "../api/auth";
import { ErrorBox, Loading } from "../components/ui";
import { useFormat } from "../lib/useFormat";
import { SignInFirst } from "./BookingPage";

export function NotificationsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const session = useSession();
  const inbox = useInbox();
  const markRead = useMarkRead();
  if (!session) return <SignInFirst />;
  if (inbox.isPending) return <Loading />;
  if (inbox.isError) return <ErrorBox error={inbox.error} />;
  const { notifications, unread } = inbox.data;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("notifications.title")}</h1>
      <p className="text-sm text-slate-700" data-testid="inbox-unread">
        {t("notifications.unread", { count: unread })}
      </p>
      {markRead.isError && <ErrorBox error={markRead.error} />}
      {notifications.length === 0 ? (
        <p>{t("notifications.empty")}</p>
      ) : (
        <ul className="space-y-2" data-testid="notifications">
          {notifications.map((n) => (
            <li
              key={n.id}
              className={`rounded-lg border p-3 shadow-sm ${n.read ? "border-slate-200 bg-white" : "border-red-300 bg-red-50"}`}
              data-testid="notification"
            >
              <div className="flex flex-wrap items-start justify-between gap-2">
                <p className={n.read ? "" : "font-semibold"}>{fmt.language === "en" ? (n.texts?.en ?? n.text) : (n.texts?.pl ?? n.text)}</p>
                {n.at && <time className="text-xs text-slate-700" dateTime={n.at}>{fmt.instant(n.at)}</time>}
              </div>
              <div className="mt-2 flex flex-wrap gap-3 text-sm">
                {n.booking_id && (
                  <Link className="text-brand underline" to={`/bookings/${n.booking_id}`}>
                    {t("notifications.booking")}
                  </Link>
                )}
                {n.read ? (
                  <span className="text-slate-700">{t("notifications.read")}</span>
                ) : (
                  <button
                    type="button"
                    className="rounded border border-slate-400 px-2 py-0.5"
                    disabled={markRead.isPending}
                    onClick={() => markRead.mutate(n.id)}
                  >
                    {t("notifications.markRead")}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
