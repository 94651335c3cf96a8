import { z } from "zod";
import { alertIdSchema } from "../alerts/alerts";
import { ALERT_ANSWERS } from "../alerts/words";

/** The new-device banner's form (a server action): the alert, the answer pressed, and the page to come back to. */
export const alertAnswerForm = z.object({ alertId: alertIdSchema, answer: z.enum(ALERT_ANSWERS), back: z.string().max(2048).optional() });
