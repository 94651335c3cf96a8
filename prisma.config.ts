import { defineConfig } from "prisma/config";

// Used by the Prisma CLI only (generate, and migrate deploy/status on machines that have Prisma's
// engines). The app applies prisma/sqlite/migrations itself at start-up.
export default defineConfig({
  schema: "prisma/sqlite/schema.prisma",
  migrations: { path: "prisma/sqlite/migrations" },
  datasource: { url: process.env.PRISMA_DATASOURCE_URL ?? "file:./data/sessions.db" },
});
