import { ConfigError, getConfig, type Config } from "./config";
import { getDatabase } from "./db";
import { startCleanupTimer } from "./sessions/cleanup";

export async function startServer(): Promise<void> {
  // `next build` loads the server code too; generating keys or databases then would be wrong.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  let config: Config;
  try {
    config = getConfig();
    await getDatabase();
  } catch (error) {
    console.error(`\nSessionboard cannot start.\n${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  startCleanupTimer(config, getDatabase);
  const where = config.backend === "memory" ? "in memory (nothing is kept)" : config.sqlitePath;
  console.log(`Sessionboard: sessions stored ${where}; public URL ${config.publicUrl.origin}`);
  if (config.generated?.createdNow) console.log(signInHint(config));
  else if (config.generated) console.log(`Sessionboard: using generated keys from ${config.generated.file}`);
}

/** Printed once, when first-run keys are generated: how to sign in as a user and as an admin. */
export function signInHint(config: Config): string {
  const admin = [...config.admins][0];
  return [
    "",
    "  No DASHBOARD_SECRET / DASHBOARD_KEY / DASHBOARD_ADMIN_KEY were set, so Sessionboard generated them",
    `  into ${config.generated?.file} (mode 0600). They are reused on every start.`,
    "",
    `  Sign in at ${config.publicUrl.origin}/login`,
    `    as a user:   any username (e.g. "alice") with key  ${config.userKey}`,
    admin ? `    as an admin: username "${admin}" with key           ${config.adminKey}` : "    (no admin usernames: set DASHBOARD_ADMINS)",
    "",
  ].join("\n");
}
