import type { IncomingMessage, Server, ServerResponse } from "node:http";

export function answersOf(server: Server): {
  track(req: IncomingMessage, res: ServerResponse, onDone: () => void): void;
  open: Set<ServerResponse>;
  drained(): Promise<void>;
};
