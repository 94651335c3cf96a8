import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

export function answerDirectly(
  req: IncomingMessage,
  res: ServerResponse,
  route: (request: { url: string; headers: IncomingHttpHeaders }) => Promise<Response>,
  failure: (error: unknown) => { status: number; headers: Record<string, string>; body: string },
): Promise<void>;
