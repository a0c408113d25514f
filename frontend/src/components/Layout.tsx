import { useTranslation } from "react-i18next";
import { Link, NavLink, Outlet, useNavigate } from "react-router";

import { signOut, useSession } from "../api/auth";
import { useInbox } from "../api/notifications";

function navClass({ isActive }: { isActive: boolean }): string {
  return `rounded px-2 py-1 hover:bg-brand-dark ${isActive ? "bg-brand-dark underline" : ""}`;
}

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const other = i18n.language === "en" ? "pl" : "en";
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
        {t("nav.skip")}
      </a>
      <header className="bg-brand text-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <Link to="/search" className="text-xl font-bold tracking-tight">
            Trainbook
          </Link>
          <nav aria-label={t("nav.main")} className="flex flex-wrap items-center gap-2 text-sm">
            <NavLink to="/search" className={navClass}>
              {t("nav.search")}
            </NavLink>
            <NavLink to="/bookings" className={navClass}>
              {t("nav.bookings")}
            </NavLink>
            <NavLink to="/changes" className={navClass}>
              {t("nav.changes")}
            </NavLink>
            {session?.user.role === "admin" && (
              <>
                <NavLink to="/admin/sales" className={navClass}>
                  {t("nav.sales")}
                </NavLink>
                <NavLink to="/admin/analytics" className={navClass}>
                  {t("nav.analytics")}
                </NavLink>
              </>
            )}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <button
              type="button"
              className="rounded border border-white/60 px-2 py-1"
              onClick={() => void i18n.changeLanguage(other)}
              lang={other}
            >
              {t("nav.language")}
            </button>
            {session ? (
              <>
                <InboxLink />
                <span className="hidden sm:inline" data-testid="signed-in-as">
                  {session.user.display_name || session.user.name}
                </span>
                <button
                  type="button"
                  className="rounded bg-white px-2 py-1 font-medium text-brand"
                  onClick={async () => {
                    // Leave the page first: forgotten under it, a signed-in page would flash "sign in first".
                    await navigate("/search", { flushSync: true });
                    signOut();
                  }}
                >
                  {t("auth.signOut")}
                </button>
              </>
            ) : (
              <Link to="/signin" className="rounded bg-white px-2 py-1 font-medium text-brand">
                {t("auth.signIn")}
              </Link>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6">
        <Outlet />
      </main>
      <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-600">
        {t("footer.text")} · <a className="underline" href="/api/docs">API</a>
      </footer>
    </div>
  );
}

/** The bell in the header: the unread count, moving live with the `user` topic. */
function InboxLink() {
  const { t } = useTranslation();
  const inbox = useInbox();
  const unread = inbox.data?.unread ?? 0;
  return (
    <NavLink
      to="/notifications"
      className={navClass}
      aria-label={`${t("nav.notifications")}: ${t("nav.unread", { count: unread })}`}
    >
      <span aria-hidden="true">{t("nav.notifications")}</span>{" "}
      <span
        data-testid="unread-count"
        aria-hidden="true"
        className={`inline-block min-w-6 rounded-full px-1.5 text-center font-bold ${unread > 0 ? "bg-red-700 text-white" : "bg-white/20"}`}
      >
        {unread}
      </span>
    </NavLink>
  );
}
