import { z } from "zod";
import { alertIdSchema } from "../alerts/alerts";

/** The new-device banner's forms (server actions): the alert, and the page to come back to. */
const alertForm = z.object({ alertId: alertIdSchema, back: z.string().max(2048).optional() });

export const alertForms = { dismiss: alertForm, report: alertForm };
