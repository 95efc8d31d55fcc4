// Vite builds the SPA into dist/ (served by parity-operational from STATIC_DIR); Vitest runs tests/ in jsdom.
import { defineConfig } from "vitest/config";

// The API is same-origin in production; `npm run dev` proxies it to a running `make run` (or run-e2e.sh --serve).
const apiTarget = process.env.PARITY_API ?? "http://127.0.0.1:8081";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // One small app: no need to split chunks, and no inline scripts (the CSP forbids them).
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": { target: apiTarget, changeOrigin: false } },
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
    restoreMocks: true,
  },
});
