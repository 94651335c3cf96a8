import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * ESLint's import/no-cycle guards lib/ against runtime cycles but skips `import type`; a cycle
 * through types still ties two modules together (the one sessions.ts ↔ revoke.ts had went through
 * RequestInfo). This reads every import and re-export in lib/ and fails on any cycle.
 */
const ROOT = process.cwd();
const LIB = path.join(ROOT, "lib");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === path.join(LIB, "db", "generated") ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The lib/ file an import specifier names, or null for packages and files outside lib/. */
function resolveImport(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? path.join(ROOT, specifier.slice(2)) : specifier.startsWith(".") ? path.resolve(path.dirname(from), specifier) : null;
  if (!base || !base.startsWith(LIB + path.sep)) return null;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")];
  return candidates.find((file) => fs.existsSync(file) && fs.statSync(file).isFile()) ?? null;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)].map((m) => m[1] ?? m[2]);
  return [...new Set(specifiers.map((s) => resolveImport(file, s)).filter((f): f is string => f !== null))];
}

function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

const relative = (cycle: string[]) => cycle.map((file) => path.relative(ROOT, file)).join(" → ");

describe("lib/ imports", () => {
  it("form no cycle, type-only imports included", () => {
    const graph = new Map(sourceFiles(LIB).map((file) => [file, importsOf(file)]));
    expect(graph.size).toBeGreaterThan(20);
    expect(findCycles(graph).map(relative)).toEqual([]);
  });

  it("are all seen, multi-line and type-only ones too (a check of the reader above)", () => {
    // lib/sessions/sessions.ts imports RequestInfo as a type and revokeSessions as a value.
    const imports = importsOf(path.join(LIB, "sessions", "sessions.ts")).map((file) => path.relative(LIB, file));
    expect(imports).toEqual(expect.arrayContaining(["request/types.ts", "sessions/revoke.ts", "db/index.ts"]));
  });
});
