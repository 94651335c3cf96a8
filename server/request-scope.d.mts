import type { AsyncLocalStorage } from "node:async_hooks";

export type RequestScope = { requestId: string; sessionId: string | null; status: number | null };
export function requestScope(): AsyncLocalStorage<RequestScope>;
export function currentRequest(): RequestScope | undefined;
export function noteRequestSession(sessionId: string): void;
export function noteRequestStatus(status: 404 | 403): void;
