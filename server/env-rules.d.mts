export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export const LOG_LEVELS: readonly LogLevel[];
export function parseLogLevel(raw: string | undefined): LogLevel | null;
export function parseTrustProxy(raw: string | undefined): number | null;
