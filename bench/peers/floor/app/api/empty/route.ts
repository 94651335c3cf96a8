// The floor: what Next.js itself costs per request, with no work of the route's own.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" });
}
