import net from "node:net";

export type TcpRelay = {
  /** Point clients here instead of at the target. */
  port: number;
  /** Drops every open connection and refuses new ones, as a network failure or a stopped server would. */
  cut(): Promise<void>;
  restore(): void;
  /** Keeps connections open but forwards nothing either way, as a host that drops packets would. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
};

/** A TCP relay on a loopback port to `host:port` (PostgreSQL, in the fault tests), which tests can break. */
export async function startTcpRelay(host: string, port: number): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  let open = true;
  let paused = false;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    // After pipe(), which would otherwise start the data flowing again.
    if (paused) for (const socket of [client, upstream]) socket.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    pause() {
      paused = true;
      for (const socket of sockets) socket.pause();
    },
    resume() {
      paused = false;
      for (const socket of sockets) socket.resume();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
