import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// The generated Prisma clients are reached through lib/db (lib/db/client.ts), never directly.
const generatedClient = {
  regex: "(^|/)db/generated(/|$)",
  message: "Import Prisma's types and helpers from lib/db, not from a generated client.",
};
// The domain (lib/ except lib/http) is plain TypeScript: Next.js and React stay in the adapter.
const nextOrReact = {
  regex: "^(next|react|react-dom)(/|$)",
  message: "The domain does not use Next.js or React: put this in lib/http (the Next adapter) or app/.",
};
const httpAdapter = {
  regex: "^((\\.{1,2}/)+|@/lib/)http(/|$)",
  message: "The domain does not import the Next adapter (lib/http); pure request facts live in lib/request.",
};

const config = [
  ...nextVitals,
  ...nextTypescript,
  { ignores: [".next/**", "node_modules/**", "lib/db/generated/**", "data/**", "test-results/**", "playwright-report/**", "bench-results/**", "dist/**", "bench/peers/**", "next-env.d.ts"] },
  {
    // The PostgreSQL schema test checks the generated PostgreSQL client itself.
    ignores: ["lib/db/**", "tests/unit/postgres-migrations.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [generatedClient] }] },
  },
  {
    files: ["lib/**"],
    ignores: ["lib/http/**", "lib/db/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [generatedClient, nextOrReact, httpAdapter] }] },
  },
  {
    files: ["lib/db/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [nextOrReact, httpAdapter] }] },
  },
  {
    // Runtime cycles; type-only ones, which this rule skips, are caught by tests/unit/import-cycles.test.ts.
    files: ["lib/**"],
    rules: { "import/no-cycle": "error" },
  },
];

export default config;
