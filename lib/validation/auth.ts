import { z } from "zod";
import { MAX_RETURN_PATH } from "../request/return-path";
import { NO_CONTROL_CHARACTERS } from "./text";
import { usernameOf } from "./username";

export const usernameSchema = usernameOf("Username");

/** Body of POST /api/auth/login, as JSON or as the login form's fields. */
export const loginSchema = z.object({
  username: usernameSchema,
  key: z.string({ error: "Key is required" }).min(1, "Key is required").max(1024, "Key is too long"),
  rememberMe: z.boolean({ error: "rememberMe must be a boolean" }).default(false),
  /** Where the login form returns to; only same-site paths are accepted, and one too long is left out, not refused. */
  next: z.string().max(MAX_RETURN_PATH).optional().catch(undefined),
});

export type LoginInput = z.infer<typeof loginSchema>;

/** The login form's checkboxes: a form sends "on" for them, which the API's body reader makes a boolean. */
export const LOGIN_CHECKBOXES = ["rememberMe"] as const;

/** OpenID Connect Back-Channel Logout: the identity provider posts its logout token, form-encoded. */
export const backchannelLogoutSchema = z.object({ logout_token: z.string({ error: "logout_token is required" }).min(1).max(8192) });

/**
 * The "Sign in with SSO" and "Confirm with single sign-on" forms. `next` is bounded well below what
 * the sealed transaction cookie can carry (a browser drops a cookie over 4 KB, which would make the
 * sign-in fail as "expired"); a longer one falls back to "/".
 */
export const oidcLoginFormSchema = z.object({
  next: z
    .string()
    .optional()
    .catch(undefined)
    .transform((value) => (value !== undefined && value.length <= 512 ? value : undefined)),
  rememberMe: z.boolean().default(false),
  reauth: z.boolean().default(false),
});

/** The SSO forms' checkboxes (and the hidden reauth flag), read as booleans. */
export const OIDC_LOGIN_CHECKBOXES = ["rememberMe", "reauth"] as const;

/** SSO subjects are at most 255 characters (OpenID Connect Core 1.0, section 2). */
export const SUBJECT_MAX_LENGTH = 255;

/**
 * A subject an operator types (DASHBOARD_ADMINS' `oidc:<sub>`, the CLI's link-sso): as the provider
 * writes it, case and all. Spaces around it are a slip of the keyboard no ID token carries.
 */
export const ssoSubjectSchema = z
  .string({ error: "subject is required" })
  .min(1, "subject is required")
  .max(SUBJECT_MAX_LENGTH, `subject must be at most ${SUBJECT_MAX_LENGTH} characters`)
  .regex(NO_CONTROL_CHARACTERS, "subject must not contain control characters")
  .refine((subject) => subject.trim() === subject, "subject must not begin or end with a space");
