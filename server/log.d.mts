import type { Logger } from "pino";
import type { LogLevel } from "./env-rules.mjs";

export const SECRET_FIELDS: ReadonlySet<string>;
export function redact<T>(value: T): T;
export function createLogger(options?: { level?: LogLevel; destination?: 1 | 2 | { write(line: string): void }; pretty?: boolean }): Logger;
export function rootLogger(): Logger;
export function installLogger(logger: Logger): Logger;
export function routeConsoleTo(logger: Logger): void;
export function flushLogs(): Promise<void>;
