import { z } from "zod";
import { usernameOf } from "./username";

export const usernameSchema = usernameOf("Username");

/** Body of POST /api/auth/login, as JSON or as the login form's fields. */
export const loginSchema = z.object({
  username: usernameSchema,
  key: z.string({ error: "Key is required" }).min(1, "Key is required").max(1024, "Key is too long"),
  rememberMe: z.boolean({ error: "rememberMe must be a boolean" }).default(false),
  /** Where the login form returns to; only same-site paths are accepted. */
  next: z.string().max(2048).optional(),
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
  next: z.string().max(2048).optional().transform((value) => (value !== undefined && value.length <= 512 ? value : undefined)),
  rememberMe: z.boolean().default(false),
  reauth: z.boolean().default(false),
});

/** The SSO forms' checkboxes (and the hidden reauth flag), read as booleans. */
export const OIDC_LOGIN_CHECKBOXES = ["rememberMe", "reauth"] as const;
