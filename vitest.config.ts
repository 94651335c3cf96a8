import path from "node:path";
import { defineConfig } from "vitest/config";

/** The lib/ integration suites: they run once per backend (see tempDatabase in tests/unit/helpers.ts). */
const integration = [
  "tests/unit/admin.test.ts",
  "tests/unit/admin-counts.test.ts",
  "tests/unit/availability.test.ts",
  "tests/unit/cli.test.ts",
  "tests/unit/concurrency.test.ts",
  "tests/unit/login.test.ts",
  "tests/unit/own-sessions.test.ts",
  "tests/unit/reauthentication.test.ts",
  "tests/unit/sessions.test.ts",
  "tests/unit/sso-identity.test.ts",
];

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    environment: "node",
    // Each file opens its own databases; keep memory and CPU modest on 2-core machines.
    pool: "forks",
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: { name: "sqlite", include: ["tests/unit/**/*.test.ts"], exclude: ["tests/unit/postgres-*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: [...integration, "tests/unit/postgres-*.test.ts"],
          env: { SESSIONBOARD_TEST_BACKEND: "postgres" },
        },
      },
    ],
  },
});
