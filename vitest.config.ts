import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["tests/unit/**/*.test.ts"],
    environment: "node",
    // Each file opens its own SQLite files; keep memory and CPU modest on 2-core machines.
    pool: "forks",
    testTimeout: 20_000,
  },
});
