import type { Metadata } from "next";
import { FORBIDDEN_TITLE } from "@/components/forbidden-message";
import { adminPageSession } from "@/lib/http/page";

/** The title of the Admin Panel's page `name`: "Admin · name" for an admin, what its 403 says for anyone else. */
export const adminTitle = (name: string, isAdmin: boolean) => (isAdmin ? `Admin · ${name}` : FORBIDDEN_TITLE);

/** generateMetadata for an Admin Panel page with nothing else to look up. */
export function adminPageTitle(name: string): () => Promise<Metadata> {
  return async () => ({ title: adminTitle(name, (await adminPageSession()) !== null) });
}
