import "../i18n";

import { act, fireEvent, render, screen } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { RouterProvider } from "react-router/dom";
import { afterEach, describe, expect, it, vi } from "vitest";

import { signedIn, useSession } from "../api/auth";
import { Layout } from "./Layout";

// The bell's inbox needs the API and the live connection; the header's sign-out does not.
vi.mock("../api/notifications", () => ({ useInbox: () => ({ data: { unread: 0 } }) }));

/** A page that needs a session, noting the session of every render it makes. */
function SignedInPage({ seen }: { seen: (string | null)[] }) {
  const session = useSession();
  seen.push(session?.user.name ?? null);
  return <p>{session ? "my bookings" : "sign in first"}</p>;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("signing out from the header", () => {
  it("leaves the page for search before forgetting the session, so the page left never shows signed out", async () => {
    const fetched = vi.fn(() => Promise.resolve(new Response(null, { status: 204 })));
    vi.stubGlobal("fetch", fetched);
    signedIn({
      access_token: "token",
      expires_in: 900,
      user: { id: "u1", email: "anna@example.com", name: "Anna", display_name: "Anna", role: "passenger" },
    });
    const seen: (string | null)[] = [];
    const router = createMemoryRouter(
      [
        {
          element: <Layout />,
          children: [
            { path: "/bookings", element: <SignedInPage seen={seen} /> },
            { path: "/search", element: <p>search page</p> },
          ],
        },
      ],
      { initialEntries: ["/bookings"] },
    );
    render(<RouterProvider router={router} />);
    expect(screen.getByText("my bookings")).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Wyloguj" }));
      await Promise.resolve();
    });

    expect(router.state.location.pathname).toBe("/search");
    expect(await screen.findByRole("link", { name: "Zaloguj się" })).toBeTruthy();
    expect(seen).not.toContain(null);
    expect(fetched).toHaveBeenCalledWith("/api/auth/logout", expect.objectContaining({ method: "POST" }));
  });
});
