import type { Logger } from "pino";
import { rootLogger } from "../server/log.mjs";

/**
 * The app's logger (pino, shared with server.mjs): `logger().info({ field }, "message")`. Lines
 * written while a request is handled carry its requestId. Log public ids, never a token, cookie,
 * key or hash; an unexpected error goes in as `{ err }`, so its stack is logged (never answered).
 */
export const logger = (): Logger => rootLogger();
