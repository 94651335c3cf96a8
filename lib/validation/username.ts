import { z } from "zod";

/**
 * What a username is, once: 1–64 of letters, digits and . _ @ -, compared in lower case (surrounding
 * spaces dropped). Sign-in, the admin forms and filters, the API's paths and the CLI all read one
 * through `usernameOf`; the login form's field mirrors it with USERNAME_PATTERN.
 */
export const USERNAME_MAX_LENGTH = 64;
/** For the HTML `pattern` attribute (matched whole, before lower-casing). */
export const USERNAME_PATTERN = "[A-Za-z0-9._@\\-]+";
export const USERNAME_CHARACTERS = "letters, digits and . _ @ -";

/** The schema, with messages naming the field as the caller's input calls it ("Username", "user"). */
export const usernameOf = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(USERNAME_MAX_LENGTH, `${field} must be at most ${USERNAME_MAX_LENGTH} characters`)
    // Checked as written, then lowered: lowered first, "\u212Aate" (a Kelvin sign) would pass as "kate".
    .regex(/^[A-Za-z0-9._@-]+$/, `${field} may contain only ${USERNAME_CHARACTERS}`)
    .toLowerCase();
