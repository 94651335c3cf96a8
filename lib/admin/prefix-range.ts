/**
 * "Starts with" as a range, which an index can serve and which reads every character literally
 * (Prisma's startsWith is a LIKE: SQLite's cannot use the index, and neither escapes "_", which
 * would match any character). Usernames and IPs are ASCII, so every match sorts below prefix + U+FFFF.
 */
export const prefixRange = (prefix: string) => ({ gte: prefix, lt: `${prefix}\uffff` });
