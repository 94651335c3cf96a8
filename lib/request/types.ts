/** Where request facts are read from: a Headers object, Next's headers(), or any map of names to values. */
export type HeaderSource = { get(name: string): string | null };

/** Where a client is, as a trusted proxy reports it (country: ISO 3166-1 alpha-2). */
export type ApproximateLocation = { country: string | null; city: string | null };

/** Who is asking: the client address, its user agent and, behind a trusted proxy, where it is. */
export type RequestInfo = { ip: string | null; userAgent: string | null; location?: ApproximateLocation | null };
