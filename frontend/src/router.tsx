import { createBrowserRouter, Navigate } from "react-router";

import { Layout } from "./components/Layout";
import { BookingPage } from "./pages/BookingPage";
import { BookingsPage } from "./pages/BookingsPage";
import { ChangesPage } from "./pages/ChangesPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { NotificationsPage } from "./pages/NotificationsPage";
import { RunPage } from "./pages/RunPage";
import { SearchPage } from "./pages/SearchPage";
import { RegisterPage, SignInPage } from "./pages/SignInPage";

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Navigate to="/search" replace /> },
      { path: "/search", element: <SearchPage /> },
      { path: "/runs/:runId", element: <RunPage /> },
      { path: "/bookings", element: <BookingsPage /> },
      { path: "/bookings/:bookingId", element: <BookingPage /> },
      { path: "/changes", element: <ChangesPage /> },
      { path: "/notifications", element: <NotificationsPage /> },
      { path: "/signin", element: <SignInPage /> },
      { path: "/register", element: <RegisterPage /> },
      { path: "/admin/sales", lazy: async () => ({ Component: (await import("./pages/SalesPage")).SalesPage }) },
      {
        path: "/admin/analytics",
        lazy: async () => ({ Component: (await import("./pages/AnalyticsPage")).AnalyticsPage }),
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
