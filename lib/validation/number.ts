import { z } from "zod";

// A sign is allowed, so that "-1" is told the range it missed rather than that it is no number.
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A number as a person writes one, in decimal digits ("16", "0.5", "-1"), or a number already: JavaScript's
 * Number() would also read "0x10", "1e1", "Infinity" or " " (as 0). `then` holds it to its range.
 */
export const decimalNumber = <T extends z.ZodType<unknown, number>>(then: T, error = "must be a number in decimal digits") =>
  z.union([z.number(), z.string().trim().regex(DECIMAL, error).transform(Number)], { error }).pipe(then);
