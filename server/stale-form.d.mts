import type { IncomingMessage, ServerResponse } from "node:http";
export function staleFormPage(path: string, nonce: string): string;
export function answerStaleFormsWithAPage(req: IncomingMessage, res: ServerResponse): void;
