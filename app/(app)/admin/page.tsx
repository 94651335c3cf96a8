import { redirect } from "next/navigation";

/** The Admin Panel opens on its sessions page. */
export default function AdminPage() {
  redirect("/admin/sessions");
}
