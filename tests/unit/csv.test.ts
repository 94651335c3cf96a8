import { describe, expect, it } from "vitest";
import { csvLine } from "@/lib/admin/events";

/** The one cell of a line, as a spreadsheet reads it. */
function cellOf(line: string): string {
  const text = line.replace(/\r\n$/, "");
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
}

describe("the events export's CSV lines", () => {
  it("quotes as RFC 4180 says", () => {
    expect(csvLine(["a", 'say "hi"', "x,y", "two\nlines", null, 3])).toBe('a,"say ""hi""","x,y","two\nlines",,3\r\n');
  });

  it("defuses what a spreadsheet would run as a formula", () => {
    for (const cell of ["=HYPERLINK(\"http://evil\")", "@SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3", "-1 + 1", "\t=1", "\r=1"]) {
      expect(cellOf(csvLine([cell])), cell).toBe(`'${cell}`);
    }
  });

  it("leaves identifiers and plain names that start with - or + as they are: they cannot call anything", () => {
    // A random id (base64url) starts with "-" one time in 64; a consumer must get it back intact.
    for (const cell of ["-AbC_d-9xYz0123456789Q", "+44", "-5", "-v1.2", "-"]) expect(csvLine([cell])).toBe(`${cell}\r\n`);
  });
});
