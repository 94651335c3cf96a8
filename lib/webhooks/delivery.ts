/*
 * Delivering the webhook outbox (events.ts writes it): claim due rows under a lease, post each one
 * signed (signature.ts), record the outcome; retry with exponential backoff until 24 h after the
 * event, then mark it failed (a refused event too, without holding back others: `refused`). At least once: a
 * worker that dies mid-delivery leaves its rows to be claimed again when the lease lapses, with the
 * same webhook-id. With several replicas on one PostgreSQL database, the claim (a conditional
 * UPDATE) gives each row to one worker at a time.
 */
import { z } from "zod";
import { Prisma, type Database } from "../db";
import { isoTimeSchema } from "../sessions/present";
import { fail } from "../errors";
import { recordWebhookDeliveries } from "../metrics/metrics";
import { generateId } from "../sessions/token";
import { plainText } from "../validation/text";
import { DELIVERY_STATUSES, RETRY_WINDOW_MS, type DeliveryStatus } from "./events";

export { DELIVERY_STATUSES, type DeliveryStatus };
import { webhookHeaders } from "./signature";

/** One attempt may take this long (connect, send, answer). */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60 * 60_000;
/** Longer than a round can take (BATCH attempts of ATTEMPT_TIMEOUT_MS at most, one URL after another). */
export const LEASE_MS = 15 * 60_000;
const BATCH = 50;
/**
 * How long a row of a URL this replica does not have waits for a replica that does — during a
 * rolling change of DASHBOARD_WEBHOOK_URL some have it and some not — before it is marked failed:
 * this long past its time with no replica taking it (a round that takes a row and leaves it for
 * later marks it taken, see `release`; a row behind an older one of its session goes with that
 * one). As long as the longest wait between retries.
 */
export const UNKNOWN_URL_GRACE_MS = MAX_RETRY_MS;
/** What is kept of a receiver's error answer for the Admin Panel. */
const EXCERPT_CHARS = 200;

export type WebhookTargets = { urls: readonly string[]; secret: string };

/** The wait after the n-th failed attempt: 5 s, 10 s, 20 s, … doubling, at most an hour. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
}

/** `failing`: the URLs whose receiver failed an attempt this round (and was tried no further). */
export type DeliveryRound = { claimed: number; delivered: number; retrying: number; failed: number; failing: string[] };

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * A 4xx answer other than 408 and 429 refuses the event itself (a receiver's firewall rejecting its
 * user agent, say; or a receiver being redeployed, a secret being rotated). It is retried on its
 * usual schedule, as it may pass later and nothing is lost, but it holds back neither its session's
 * later events (held back, one user agent could delay a security alert for a day) nor the receiver's
 * other events, and a receiver answering again does not send it again at once.
 */
const refused = (status: number | null) => status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429;
/** The same, for a statement's row `row` (its lastStatus). */
const refusedSql = (row: Prisma.Sql) => Prisma.sql`COALESCE(${row}."lastStatus", 0) BETWEEN 400 AND 499 AND ${row}."lastStatus" NOT IN (408, 429)`;

export type DeliveryOptions = {
  /** The clock (tests); each attempt reads it again. */
  clock?: () => Date;
  /** This worker's name on the rows it holds. */
  owner?: string;
  /** Aborted at shutdown: attempts in flight stop, and their rows are released untouched. */
  signal?: AbortSignal;
  batchSize?: number;
  /** URLs left alone this round: their receiver failed earlier in the same tick (worker.ts). */
  skipUrls?: ReadonlySet<string>;
};

/**
 * One round: claims up to a batch of due rows (oldest first), delivers them and records each
 * outcome. A session's events reach each URL in the order they were written: a row waits while an
 * older pending row of its session and URL is neither delivered nor failed. After a failed attempt
 * (not a refusal), the rest of that URL's rows wait, and the worker leaves the URL for its next
 * tick (a receiver that is down costs one attempt per tick).
 */
export async function deliverDueWebhooks(db: Database, targets: WebhookTargets, options: DeliveryOptions = {}): Promise<DeliveryRound> {
  const clock = options.clock ?? (() => new Date());
  const owner = options.owner ?? generateId();
  const round: DeliveryRound = { claimed: 0, delivered: 0, retrying: 0, failed: 0, failing: [] };
  const now = clock();
  const leaseFree = { OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] };
  const urls = targets.urls.filter((url) => !options.skipUrls?.has(url));
  await failAbandonedDeliveries(db, targets.urls, now);
  if (urls.length === 0) return round;
  // Due rows, oldest first, but not those that must wait for an older one: taken, they would only
  // be released again, round after round.
  const due = await db.prisma.$queryRaw<{ seq: number | bigint }[]>`
    SELECT d."seq" FROM "WebhookDelivery" d
     WHERE d."status" = 'pending' AND d."nextAttemptAt" <= ${now} AND d."url" IN (${Prisma.join(urls)})
       AND (d."leaseUntil" IS NULL OR d."leaseUntil" <= ${now}) AND ${notBehindWaitingRow(Prisma.raw("d"), now)}
     ORDER BY d."seq" LIMIT ${options.batchSize ?? BATCH}`;
  if (due.length === 0) return round;
  // The claim: only rows still free are taken, so of two workers racing for a row one gets it.
  const claimed = (
    await db.prisma.webhookDelivery.updateManyAndReturn({
      where: { seq: { in: due.map((row) => Number(row.seq)) }, status: "pending", url: { in: urls }, ...leaseFree },
      data: { leaseUntil: new Date(now.getTime() + LEASE_MS), leaseOwner: owner },
    })
  ).sort((a, b) => a.seq - b.seq);
  round.claimed = claimed.length;
  if (claimed.length === 0) return round;

  // Older pending rows of the same sessions: a row goes only after those before it are settled (a
  // race lost to another worker leaves a row here whose older one is not).
  const sessionIds = [...new Set(claimed.flatMap((row) => (row.sessionId ? [row.sessionId] : [])))];
  const pendingOfSessions = sessionIds.length
    ? await db.prisma.webhookDelivery.findMany({ where: { status: "pending", sessionId: { in: sessionIds } }, select: { seq: true, sessionId: true, url: true, lastStatus: true } })
    : [];
  const settled = new Set<number>(pendingOfSessions.flatMap((other) => (refused(other.lastStatus) ? [other.seq] : [])));
  const waits = (row: (typeof claimed)[number]) =>
    row.sessionId !== null && pendingOfSessions.some((other) => other.sessionId === row.sessionId && other.url === row.url && other.seq < row.seq && !settled.has(other.seq));

  const mine = (seq: number) => ({ seq, leaseOwner: owner });
  // Free again (a lease that ends now), which also says when a replica with its URL last took it.
  const release = (seq: number) => db.prisma.webhookDelivery.updateMany({ where: mine(seq), data: { leaseUntil: clock(), leaseOwner: null } });

  const byUrl = new Map<string, typeof claimed>();
  for (const row of claimed) byUrl.set(row.url, [...(byUrl.get(row.url) ?? []), row]);
  await Promise.all(
    [...byUrl.values()].map(async (rows) => {
      let halted = false;
      let answered = false;
      for (const row of rows) {
        if (halted || waits(row) || options.signal?.aborted) {
          await release(row.seq);
          continue;
        }
        const at = clock();
        // Signed at the real time of sending: receivers reject timestamps far from their clock.
        const outcome = await post(row.url, webhookHeaders(targets.secret, row.eventId, row.payload, new Date()), row.payload, options.signal);
        if (!outcome.ok && options.signal?.aborted) {
          // Interrupted by shutdown: not the receiver's failure; the next worker sends it again.
          await release(row.seq);
          continue;
        }
        if (outcome.ok) {
          await db.prisma.webhookDelivery.updateMany({
            where: mine(row.seq),
            data: { status: "delivered", deliveredAt: at, lastAttemptAt: at, attempts: row.attempts + 1, lastStatus: outcome.status, lastError: null, leaseUntil: null, leaseOwner: null },
          });
          settled.add(row.seq);
          round.delivered++;
          if (!answered) {
            // The receiver answers (again): what waits for a retry to it goes now, not in an hour —
            // but not what it refused, which keeps its own pace.
            answered = true;
            await db.prisma.$executeRaw`
              UPDATE "WebhookDelivery" SET "nextAttemptAt" = ${at}
               WHERE "url" = ${row.url} AND "status" = 'pending' AND "attempts" > 0 AND "nextAttemptAt" > ${at}
                 AND NOT (${refusedSql(Prisma.raw('"WebhookDelivery"'))})`;
          }
          continue;
        }
        // A refusal says nothing about the receiver's other events: they go on, its session's too.
        const refusal = refused(outcome.status);
        if (refusal) settled.add(row.seq);
        else {
          halted = true;
          round.failing.push(row.url);
        }
        const attempts = row.attempts + 1;
        const next = new Date(at.getTime() + retryDelayMs(attempts));
        const giveUp = next > row.giveUpAt;
        await db.prisma.webhookDelivery.updateMany({
          where: mine(row.seq),
          data: {
            status: giveUp ? "failed" : "pending",
            attempts,
            nextAttemptAt: giveUp ? row.nextAttemptAt : next,
            lastAttemptAt: at,
            lastStatus: outcome.status,
            lastError: outcome.error,
            leaseUntil: null,
            leaseOwner: null,
          },
        });
        if (giveUp) {
          settled.add(row.seq);
          round.failed++;
        } else round.retrying++;
      }
    }),
  );
  recordWebhookDeliveries({ delivered: round.delivered, retrying: round.retrying, failed: round.failed });
  return round;
}

/**
 * SQL for the order of a session's events, on the statement's row `row`: no older pending row of
 * its session and URL that cannot go at `at` (waiting for a retry, or held by a worker), unless the
 * receiver refused that one (it holds nothing back). Raw SQL: Prisma has no NOT EXISTS over the
 * same table.
 */
function notBehindWaitingRow(row: Prisma.Sql, at: Date): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (
    SELECT 1 FROM "WebhookDelivery" o
     WHERE o."sessionId" = ${row}."sessionId" AND o."url" = ${row}."url" AND o."status" = 'pending' AND o."seq" < ${row}."seq"
       AND (o."nextAttemptAt" > ${at} OR o."leaseUntil" > ${at}) AND NOT (${refusedSql(Prisma.raw("o"))}))`;
}

/** One signed POST. 2xx is delivered; anything else (redirects included) is a failed attempt (a refusal: `refused`). */
async function post(url: string, signed: Record<string, string>, body: string, stop?: AbortSignal): Promise<Outcome> {
  const signal = stop ? AbortSignal.any([AbortSignal.timeout(ATTEMPT_TIMEOUT_MS), stop]) : AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Sessionboard-Webhooks", ...signed },
      body,
      redirect: "manual",
      signal,
      cache: "no-store",
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, status: response.status };
    }
    const excerpt = await readExcerpt(response);
    return { ok: false, status: response.status, error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ""}` };
  } catch (error) {
    return { ok: false, status: null, error: errorClass(error) };
  }
}

/** The start of an error answer, as one line of text; the rest is never read. */
async function readExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < EXCERPT_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // What was read so far will do.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // Someone else's text, shown on the Admin Panel and stored (PostgreSQL refuses NUL): one clean line.
  return plainText(text.replace(/\s+/g, " "), EXCERPT_CHARS) ?? "";
}

/** A failed attempt in a few words: the kind of failure, never a stack. */
function errorClass(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `timed out after ${ATTEMPT_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return `connection failed (${cause.code})`;
  return error instanceof Error ? error.message.slice(0, EXCERPT_CHARS) : "request failed";
}

/**
 * Sends an event to a URL again from the Admin Panel: the row becomes pending now, with a fresh
 * backoff and 24 h window. Refused (false) while a worker holds it.
 */
export async function resendWebhookDelivery(db: Database, seq: number, now = new Date()): Promise<void> {
  const { count } = await db.prisma.webhookDelivery.updateMany({
    where: { seq, OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] },
    data: { status: "pending", attempts: 0, nextAttemptAt: now, giveUpAt: new Date(now.getTime() + RETRY_WINDOW_MS), leaseUntil: null, leaseOwner: null },
  });
  if (count > 0) return;
  throw fail((await db.prisma.webhookDelivery.count({ where: { seq } })) ? "webhook_delivery_busy" : "webhook_delivery_not_found");
}


export const webhookDeliveryJsonSchema = z.object({
  id: z.number().int().describe("The delivery (one event to one URL); POST /api/admin/webhooks/{id}/resend sends it again"),
  eventId: z.string().describe("webhook-id: the same for every URL and attempt"),
  type: z.string(),
  sessionId: z.string().nullable(),
  url: z.string(),
  status: z.enum(DELIVERY_STATUSES).describe("pending: waiting for its first attempt or a retry"),
  attempts: z.number().int().min(0),
  createdAt: isoTimeSchema,
  nextAttemptAt: isoTimeSchema.nullable().describe("When it is tried next; null unless pending"),
  lastAttemptAt: isoTimeSchema.nullable(),
  lastStatus: z.number().int().nullable().describe("The receiver's last HTTP status, null when it did not answer"),
  lastError: z.string().nullable().describe("Why the last attempt failed: the status and the start of the answer, or the kind of network failure"),
  deliveredAt: isoTimeSchema.nullable(),
});
export const webhookDeliveryListSchema = z.object({
  deliveries: z.array(webhookDeliveryJsonSchema),
  counts: z.object({ pending: z.number().int().min(0), delivered: z.number().int().min(0), failed: z.number().int().min(0) }),
});
export type WebhookDeliveryList = z.infer<typeof webhookDeliveryListSchema>;
export const resentAnswerSchema = z.object({ resent: z.literal(1) });

/** GET /api/admin/webhooks: listWebhookDeliveries as JSON. */
export async function webhookDeliveriesJson(db: Database, query: { status?: DeliveryStatus; limit: number }): Promise<WebhookDeliveryList> {
  const { deliveries, counts } = await listWebhookDeliveries(db, query);
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    deliveries: deliveries.map(({ seq, createdAt, nextAttemptAt, lastAttemptAt, deliveredAt, status, ...rest }) => ({
      ...rest,
      id: seq,
      status: status as DeliveryStatus,
      createdAt: createdAt.toISOString(),
      nextAttemptAt: status === "pending" ? nextAttemptAt.toISOString() : null,
      lastAttemptAt: iso(lastAttemptAt),
      deliveredAt: iso(deliveredAt),
    })),
    counts,
  };
}

/** The Admin Panel's view: the newest deliveries (of one status, or all) and how many there are of each status. */
export async function listWebhookDeliveries(db: Database, query: { status?: DeliveryStatus; limit: number }) {
  const [rows, groups] = await Promise.all([
    db.prisma.webhookDelivery.findMany({
      where: query.status ? { status: query.status } : {},
      orderBy: { seq: "desc" },
      take: query.limit,
      select: { seq: true, eventId: true, type: true, sessionId: true, url: true, createdAt: true, status: true, attempts: true, nextAttemptAt: true, lastAttemptAt: true, lastStatus: true, lastError: true, deliveredAt: true },
    }),
    db.prisma.webhookDelivery.groupBy({ by: ["status"], _count: { _all: true } }),
  ]);
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, groups.find((group) => group.status === status)?._count._all ?? 0])) as Record<DeliveryStatus, number>;
  return { deliveries: rows, counts };
}

/**
 * A URL removed from DASHBOARD_WEBHOOK_URL gets nothing more: rows of URLs not in `urls` (this
 * replica's) are failed once no replica has taken them for UNKNOWN_URL_GRACE_MS past their time,
 * and never while one holds them. Each delivery round, and cleanup (which also runs with no URL
 * configured at all, when no round does).
 */
export async function failAbandonedDeliveries(db: Database, urls: readonly string[], now: Date): Promise<number> {
  const abandoned = new Date(now.getTime() - UNKNOWN_URL_GRACE_MS);
  // A row waiting behind an older one of its session, which no round takes, is abandoned only with
  // that one: the replicas that have its URL may still be retrying it.
  return db.prisma.$executeRaw`
    UPDATE "WebhookDelivery" SET "status" = 'failed', "lastError" = 'URL no longer configured'
     WHERE "status" = 'pending' ${urls.length ? Prisma.sql`AND "url" NOT IN (${Prisma.join(urls)})` : Prisma.empty}
       AND "nextAttemptAt" <= ${abandoned} AND ("leaseUntil" IS NULL OR "leaseUntil" <= ${abandoned})
       AND ${notBehindWaitingRow(Prisma.raw('"WebhookDelivery"'), abandoned)}`;
}

/** Finished deliveries (delivered or failed) are kept this long for the Admin Panel. */
export const DELIVERY_HISTORY_DAYS = 30;

/** Deletes finished deliveries older than DELIVERY_HISTORY_DAYS (periodic cleanup); pending ones stay. */
export async function pruneWebhookDeliveries(db: Database, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - DELIVERY_HISTORY_DAYS * 24 * 60 * 60_000);
  const { count } = await db.prisma.webhookDelivery.deleteMany({ where: { status: { in: ["delivered", "failed"] }, createdAt: { lt: before } } });
  return count;
}

/** How many deliveries wait for a first attempt or a retry (the metrics' backlog). */
export const webhookBacklog = (db: Database) => db.prisma.webhookDelivery.count({ where: { status: "pending" } });
