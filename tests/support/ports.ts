import net from "node:net";

/**
 * A loopback port nothing listens on, so a connection to it is refused (ECONNREFUSED). Not a
 * well-known one such as 9: fetch refuses those itself ("bad port") without connecting.
 */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
