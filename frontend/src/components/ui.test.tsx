import "../i18n";

import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Delay } from "./ui";

describe("the delay label", () => {
  it("shows the delay and the expected time in Warsaw", () => {
    render(<Delay minutes={75} scheduled="2026-12-02T05:18:00Z" />);
    expect(screen.getByTestId("delay").textContent).toBe("+75\u00a0min, przewidywany 07:33");
  });

  it("shows nothing when the train is on time", () => {
    const { container } = render(<Delay minutes={0} scheduled="2026-12-02T05:18:00Z" />);
    expect(container.textContent).toBe("");
  });
});
