import type { z } from "zod";

/**
 * A page's query read leniently: the parameters that do not validate are left out and their problems
 * returned, the rest still apply, so one mistyped filter does not silently drop the others. (A rule
 * across parameters that still fails without them, say an interval out of order, leaves them all out.)
 * `invalid` names the parameters left out, so that their fields can say so.
 */
export function lenientQuery<S extends z.ZodType>(
  schema: S,
  raw: Record<string, string>,
): { data: z.output<S>; problems: string[]; valid: Record<string, string>; invalid: string[] } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { data: parsed.data, problems: [], valid: raw, invalid: [] };
  const invalid = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? "")));
  const valid = Object.fromEntries(Object.entries(raw).filter(([name]) => !invalid.has(name)));
  const rest = schema.safeParse(valid);
  const problems = parsed.error.issues.map((issue) => issue.message);
  return rest.success
    ? { data: rest.data, problems, valid, invalid: [...invalid] }
    : { data: schema.parse({}), problems, valid: {}, invalid: Object.keys(raw) };
}
