/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

import { defineConfig } from "vite";

function routerBuild(file: string): string {
  return fileURLToPath(new URL(`node_modules/react-router/dist/development/${file}`, import.meta.url));
}

// `npm run dev` proxies the API and the WebSocket to a running `trainbook up` (TRAINBOOK_URL, default :3000).
const backend = process.env.TRAINBOOK_URL ?? "http://localhost:3000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      "/api": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    // Node would load `react-router` as CommonJS and `react-router/dom` as an ES module: two routers.
    alias: [
      { find: /^react-router$/, replacement: routerBuild("index.mjs") },
      { find: /^react-router\/dom$/, replacement: routerBuild("dom-export.mjs") },
    ],
  },
});
