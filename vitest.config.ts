import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Test files by name:
 *   *.db.test.ts        lib/ against a real database: run once per backend (tempDatabase in
 *                       tests/unit/helpers.ts opens SQLite or PostgreSQL as the project says)
 *   sqlite-*.test.ts    about one backend only
 *   postgres-*.test.ts
 *   other *.test.ts     no database: run once
 * A file that opens a test database under any other name would silently run on SQLite only; the
 * check below refuses to start instead.
 */
const UNIT_DIR = path.join(__dirname, "tests", "unit");
const misnamed = fs
  .readdirSync(UNIT_DIR)
  .filter((name) => name.endsWith(".test.ts") && !/(\.db\.test\.ts$|^(sqlite|postgres)-)/.test(name))
  .filter((name) => fs.readFileSync(path.join(UNIT_DIR, name), "utf8").includes("tempDatabase("));
if (misnamed.length > 0) {
  throw new Error(`These tests open a database, so they must be named *.db.test.ts (or sqlite-*/postgres-*): ${misnamed.join(", ")}`);
}

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
          include: ["tests/unit/**/*.db.test.ts", "tests/unit/postgres-*.test.ts"],
          env: { SESSIONBOARD_TEST_BACKEND: "postgres" },
        },
      },
    ],
  },
});
