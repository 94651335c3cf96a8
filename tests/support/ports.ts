import net from "node:net";

/** Listens on `port` (0: any) on loopback and hands back the server, or null when the port is taken. */
function listenOn(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

/** `count` distinct free loopback ports, held open together so the OS cannot hand out one twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOn(0)));
  const ports = servers.map((server) => server && portOf(server));
  await Promise.all(servers.map((server) => server && close(server)));
  if (ports.some((port) => port === null)) throw new Error("no free port on 127.0.0.1");
  return ports as number[];
}

/** `preferred` when it is free, otherwise any free loopback port. */
export async function freePort(preferred = 0): Promise<number> {
  const server = (preferred > 0 ? await listenOn(preferred) : null) ?? (await listenOn(0));
  if (server === null) throw new Error("no free port on 127.0.0.1");
  const port = portOf(server);
  await close(server);
  return port;
}

/**
 * A loopback port nothing listens on, so a connection to it is refused (ECONNREFUSED). Not a
 * well-known one such as 9: fetch refuses those itself ("bad port") without connecting.
 */
export const closedPort = () => freePort();
