import type { ZodError } from "zod";

type Issue = ZodError["issues"][number];

/** An input problem in words: the field's name first ("limit: …"), unless the message already begins with it ("moreThan must be …"). */
export function issueText(issue: Issue): string {
  const field = issue.path.join(".");
  const named = [" ", ":"].some((after) => issue.message.startsWith(field + after));
  return field && !named ? `${field}: ${issue.message}` : issue.message;
}
