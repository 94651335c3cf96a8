import { NotFoundMessage } from "@/components/not-found-message";
import { answerWithStatus } from "@/lib/http/page";

/**
 * A page's 404: the message drawn into the HTML (with the header, without JavaScript too) and the
 * status noted for server.mjs, where Next's notFound() would leave an empty body (answerWithStatus).
 */
export function notFoundAnswer() {
  answerWithStatus(404);
  return <NotFoundMessage />;
}
