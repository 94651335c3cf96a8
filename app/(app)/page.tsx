import type { Metadata } from "next";
import { Time } from "@/components/time";
import { Badge, Card, DetailList } from "@/components/ui";
import { presentSession } from "@/lib/sessions/present";
import { requireSession } from "@/lib/http/page";
import { toSessionView } from "@/lib/sessions/view-model";

export const metadata: Metadata = { title: "Home" };

export default async function HomePage() {
  const { user, session } = await requireSession();
  const view = toSessionView(presentSession(session, session.id), new Date());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight wrap-anywhere">Welcome, {user.displayName ?? user.username}</h1>
        <p className="mt-1 text-sm text-slate-600">
          Signed in as <strong className="font-medium text-slate-900">{user.username}</strong>{" "}
          <Badge tone={user.role === "admin" ? "indigo" : "slate"}>{user.role === "admin" ? "Admin" : "User"}</Badge>
        </p>
      </div>
      <Card title="This session" description="The sign-in you are using right now.">
        <DetailList
          items={[
            { label: "Session", value: <span className="font-mono">{view.maskedToken}</span> },
            { label: "Signed in with", value: view.method },
            { label: "Device", value: `${view.title} (${view.device})` },
            { label: "IP address", value: view.location ? `${view.ip} (${view.location})` : view.ip },
            { label: "Remember me", value: view.rememberMe },
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
