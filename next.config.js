// Static security headers for pages and files. The page CSP carries a per-request nonce and is set
// in proxy.ts. API answers get theirs from the API wrapper (lib/http/transport-security.ts): a
// header rule here costs every API request ≈ 25 µs. Strict-Transport-Security depends on
// DASHBOARD_URL, which is known only at run time (these headers are fixed at build time): proxy.ts
// sets it too.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // No page uses next/image: its endpoint answers 404 instead of optimising (and failing with a 500
  // on) whatever address it is given.
  images: { unoptimized: true },
  // No experimental.authInterrupts: pages draw their 403 themselves (lib/http/page.ts), and with it
  // every layout would carry its forbidden and unauthorized pages in each page's React payload.
  // openid-client: one copy per process. Bundled, route handlers and pages each get their own, and
  // the configuration discovered once per process (lib/auth/discovery.ts) fails the other copy's
  // instanceof checks — an SSO sign-in after the Admin Panel's Single sign-on page answered 500.
  // @opentelemetry/api: Next's own tracer asks it whether tracing is on, by the class name of the
  // registered provider; bundled and minified, that name no longer reads "NoopTracerProvider", so
  // Next would wrap every request in (no-op) spans — ≈ 34 µs of profiled time a request, tracing or not.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "openid-client", "@opentelemetry/api"],
  async headers() {
    return [
      { source: "/((?!api/).*)", headers: securityHeaders },
    ];
  },
};

module.exports = nextConfig;
