import { defineConfig } from "vitest/config";

// Tauri serves the built files from its own origin; no dev server is needed to run
// the app (scripts/run builds once). `vitest` runs the pure logic in node.
export default defineConfig({
  clearScreen: false,
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    // One small script and one stylesheet; no inline assets (the CSP forbids inline).
    assetsInlineLimit: 0,
    modulePreload: false,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
