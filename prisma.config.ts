import { defineConfig } from "prisma/config";

// Used by the Prisma CLI only (generate, and migrate deploy/status on machines that have Prisma's
// engines) for the SQLite schema. The app applies its migrations itself at start-up (prisma/sqlite or
// prisma/postgres, by DASHBOARD_SESSION_BACKEND).
export default defineConfig({
  schema: "prisma/sqlite/schema.prisma",
  migrations: { path: "prisma/sqlite/migrations" },
  datasource: { url: process.env.PRISMA_DATASOURCE_URL ?? "file:./data/sessions.db" },
});
