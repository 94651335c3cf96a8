import { describe, expect, it } from "vitest";
import { listOwnSessions } from "@/lib/sessions/own-sessions";
import { validateSessionCookie } from "@/lib/sessions/sessions";
import { USER_KEY, later, minutes, signIn, tempDatabase, testConfig } from "./helpers";

const T0 = new Date("2026-12-01T10:00:00.000Z");
const HOME = { ip: "203.0.113.4", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" };

/** Runs `during` while a transaction holds `write` uncommitted, then rolls the transaction back. */
async function whileUncommitted(db: Awaited<ReturnType<typeof tempDatabase>>["db"], write: (tx: Parameters<Parameters<typeof db.prisma.$transaction>[0]>[0]) => Promise<unknown>, during: () => Promise<void>) {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let written = () => {};
  const ready = new Promise<void>((resolve) => (written = resolve));
  const transaction = db.prisma
    .$transaction(async (tx) => {
      await write(tx);
      written();
      await held;
      throw new Error("rolled back");
    })
    .catch((error: unknown) => error);
  await ready;
  try {
    await during();
  } finally {
    release();
    expect(await transaction).toMatchObject({ message: "rolled back" });
  }
}

describe("reads that answer requests", () => {
  it("never see another change's writes before it commits: a disable or a revocation that rolls back ended nothing", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const laptop = await signIn(db, config, "ivan", USER_KEY, false, HOME, T0);
    const phone = await signIn(db, config, "ivan", USER_KEY, false, HOME, later(T0, minutes(1)));
    const now = later(T0, minutes(2));
    // Within a minute of the phone's sign-in, from where it signed in: its check has nothing to write,
    // so it does not wait on the row the transaction holds (on PostgreSQL it would, until that ends).
    const soon = later(T0, minutes(1) + 10_000);
    const owner = { user: laptop.user, session: laptop.session };

    await whileUncommitted(
      db,
      (tx) => tx.user.update({ where: { id: laptop.user.id }, data: { disabledAt: now, disabledBy: "root" } }),
      async () => {
        expect(await validateSessionCookie(db, config, laptop.cookie, HOME, now)).toMatchObject({ status: "active" });
      },
    );
    await whileUncommitted(
      db,
      (tx) => tx.session.update({ where: { id: phone.session.id }, data: { revokedAt: now, revokedBy: "root", endReason: "revoked_by_admin" } }),
      async () => {
        expect(await validateSessionCookie(db, config, phone.cookie, HOME, soon)).toMatchObject({ status: "active" });
        expect((await listOwnSessions(db, config, owner, { limit: 10 }, soon)).sessions.map((s) => s.id).sort()).toEqual([laptop.session.id, phone.session.id].sort());
      },
    );
    // And after the rollbacks, as before.
    expect(await validateSessionCookie(db, config, phone.cookie, HOME, now)).toMatchObject({ status: "active" });
    expect(await validateSessionCookie(db, config, laptop.cookie, HOME, now)).toMatchObject({ status: "active" });
  });
});
