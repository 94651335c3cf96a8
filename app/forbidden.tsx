import { ForbiddenMessage } from "@/components/forbidden-message";

/** 403 for an admin action someone else calls; admin pages draw theirs themselves (adminPageSession). */
export default function Forbidden() {
  return <ForbiddenMessage />;
}
