import type { Metadata } from "next";
import { Time } from "@/components/time";
import { Badge, Card, DetailList } from "@/components/ui";
import { maskToken, describeUserAgent } from "@/lib/sessions/present";
import { requireSession } from "@/lib/sessions/current";

export const metadata: Metadata = { title: "Home" };

export default async function HomePage() {
  const { user, session } = await requireSession("/");
  const device = describeUserAgent(session.userAgent);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Welcome, {user.displayName ?? user.username}</h1>
        <p className="mt-1 text-sm text-slate-600">
          Signed in as <strong className="font-medium text-slate-900">{user.username}</strong>{" "}
          <Badge tone={user.role === "admin" ? "indigo" : "slate"}>{user.role === "admin" ? "Admin" : "User"}</Badge>
        </p>
      </div>
      <Card title="This session" description="The sign-in you are using right now.">
        <DetailList
          items={[
            { label: "Session", value: <span className="font-mono">{maskToken(session.tokenHint)}</span> },
            { label: "Signed in with", value: session.authMethod === "oidc" ? "Single sign-on" : "Key" },
            { label: "Device", value: [device.browser, device.os].filter(Boolean).join(" on ") || "Unknown" },
            { label: "IP address", value: session.ipAddress ?? "Unknown" },
            { label: "Remember me", value: session.rememberMe ? "Yes" : "No (ends when the browser closes)" },
            { label: "Signed in", value: <Time value={session.createdAt} /> },
            { label: "Last active", value: <Time value={session.lastActiveAt} /> },
            { label: "Expires if idle", value: <Time value={session.expiresAt} /> },
            { label: "Ends at the latest", value: <Time value={session.absoluteExpiresAt} /> },
          ]}
        />
      </Card>
    </div>
  );
}
