import type { Logger } from "pino";

/** A step the app registered with onShutdown (lib/lifecycle.ts). */
export type ShutdownStep = { name: string; run: () => Promise<void> | void };

export const SHUTDOWN_STEPS_MS: number;
export function runShutdownSteps(steps: readonly ShutdownStep[], log: Logger, ms?: number): Promise<boolean>;
