import type { Database, DatabaseClient, Prisma } from "../db";
import type { RequestInfo } from "../request/types";
import { generateId } from "../sessions/token";
import { deviceFamilies } from "../sessions/user-agent";
import { addressNetwork } from "./network";

/** How long a device stays known after its last sign-in, and how long alerts are kept. */
export const KNOWN_DEVICE_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export const knownSince = (now: Date) => new Date(now.getTime() - KNOWN_DEVICE_DAYS * DAY_MS);

/** What makes a device the same one: browser family, OS family and address network ("" when unknown). */
export type DeviceKey = { browserFamily: string; osFamily: string; network: string };

export function deviceKey(request: Pick<RequestInfo, "userAgent" | "ip">): DeviceKey {
  const families = deviceFamilies(request.userAgent);
  return { browserFamily: families.browserFamily ?? "", osFamily: families.osFamily ?? "", network: addressNetwork(request.ip) };
}

/** The device a sign-in was from, as its session or its alert keeps it: the families and the address. */
export function deviceOf(row: { browserFamily: string | null; osFamily: string | null; ipAddress: string | null }): DeviceKey {
  return { browserFamily: row.browserFamily ?? "", osFamily: row.osFamily ?? "", network: addressNetwork(row.ipAddress) };
}

export const sameDevice = (a: DeviceKey, b: DeviceKey) => a.browserFamily === b.browserFamily && a.osFamily === b.osFamily && a.network === b.network;

/** The sign-in's transaction, where its device is looked up and recorded. */
type DeviceClient = Pick<DatabaseClient, "knownDevice" | "sessionAlert">;

/** What a sign-in writes about its device, in the sign-in's own transaction. */
export type SignInDevice = {
  /** The alert raised for this sign-in, or null when the device is known (or is the user's first). */
  alertId: string | null;
  /** The device as the alert records it. */
  seen: { browserFamily: string | null; osFamily: string | null; ipAddress: string | null; country: string | null; city: string | null };
  writes: (sessionId: string) => Prisma.PrismaPromise<unknown>[];
};

/**
 * Looks up the signing-in device among the user's devices of the last KNOWN_DEVICE_DAYS: a device
 * not among them raises an alert — unless the user has no known device at all (a first sign-in has
 * nothing to compare with). The writes prune the user's devices and alerts past the window, record
 * this device (first seen now, or last seen now) and the alert, if any.
 */
export async function signInDevice(client: DeviceClient, userId: string, request: RequestInfo, now: Date): Promise<SignInDevice> {
  const key = deviceKey(request);
  const since = knownSince(now);
  // One after the other: on a transaction's one connection they would queue anyway.
  const known = await client.knownDevice.count({ where: { userId, lastSeenAt: { gte: since } } });
  const same = await client.knownDevice.findUnique({ where: { userId_browserFamily_osFamily_network: { userId, ...key } }, select: { lastSeenAt: true } });
  const isNew = known > 0 && (!same || same.lastSeenAt < since);
  const alertId = isNew ? generateId() : null;
  const seen = {
    browserFamily: key.browserFamily || null,
    osFamily: key.osFamily || null,
    ipAddress: request.ip,
    country: request.location?.country ?? null,
    city: request.location?.city ?? null,
  };
  return {
    alertId,
    seen,
    writes: (sessionId) => [
      client.knownDevice.deleteMany({ where: { userId, lastSeenAt: { lt: since } } }),
      client.sessionAlert.deleteMany({ where: { userId, createdAt: { lt: since } } }),
      client.knownDevice.upsert({
        where: { userId_browserFamily_osFamily_network: { userId, ...key } },
        create: { userId, ...key, firstSeenAt: now, lastSeenAt: now },
        update: { lastSeenAt: now },
      }),
      ...(alertId
        ? [
            client.sessionAlert.create({
              data: {
                id: alertId,
                userId,
                sessionId,
                ...seen,
                createdAt: now,
              },
            }),
          ]
        : []),
    ],
  };
}

/**
 * Deletes every user's known devices unused for KNOWN_DEVICE_DAYS and alerts older than that (a
 * sign-in prunes its own user's; this catches users who stopped signing in). For the periodic
 * cleanup; returns how many rows went.
 */
export async function pruneDevicesAndAlerts(db: Database, now = new Date()): Promise<{ knownDevices: number; alerts: number }> {
  const since = knownSince(now);
  const [devices, alerts] = await db.prisma.$transaction([
    db.prisma.knownDevice.deleteMany({ where: { lastSeenAt: { lt: since } } }),
    db.prisma.sessionAlert.deleteMany({ where: { createdAt: { lt: since } } }),
  ]);
  return { knownDevices: devices.count, alerts: alerts.count };
}
