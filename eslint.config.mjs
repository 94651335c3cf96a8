import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// The generated Prisma clients are reached through lib/db (lib/db/client.ts), never directly.
const generatedClient = {
  regex: "(^|/)db/generated(/|$)",
  message: "Import Prisma's types and helpers from lib/db, not from a generated client.",
};

const config = [
  ...nextVitals,
  ...nextTypescript,
  { ignores: [".next/**", "node_modules/**", "lib/db/generated/**", "data/**", "test-results/**", "playwright-report/**", "bench-results/**", "bench/peers/**", "next-env.d.ts"] },
  {
    // The PostgreSQL schema test checks the generated PostgreSQL client itself.
    ignores: ["lib/db/**", "tests/unit/postgres-migrations.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [generatedClient] }] },
  },
];

export default config;
