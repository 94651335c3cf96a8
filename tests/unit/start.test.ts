import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { SERVER_NODE_OPTIONS } from "../../server/node-options.mjs";

const run = promisify(execFile);
const ROOT = process.cwd();
/** What `npm run build` and `npm start` see on a fresh machine: none of the app's own variables. */
const cleanEnv: NodeJS.ProcessEnv = { NODE_ENV: "production", PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: "1" };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `node server.mjs ARGS` with its exit code and output; stopped after 15 s if it does not exit by itself. */
async function serverCommand(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["server.mjs", ...args], { cwd, env: { ...cleanEnv, ...env }, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | null; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm start's command line (server.mjs)", () => {
  it.each([
    [["--bogus"], "Unknown option '--bogus'"],
    [["-x"], "Unknown option '-x'"],
    [["4000"], "Unexpected argument '4000'"],
    [["-p"], "Option '-p, --port <value>' argument missing"],
    [["-p", "http"], 'Invalid port "http"'],
    [["--port", "70000"], 'Invalid port "70000"'],
    [["--hostname="], "The hostname must not be empty"],
    [["-p", "0"], "Port 0 (any free port) needs DASHBOARD_URL"],
  ])("refuses %j with exit code 2 and the usage", async (args, message) => {
    // PORT is one nothing listens on, in case the arguments were ignored and the server started.
    const result = await serverCommand(args, { PORT: String(await freePort()), BIND_HOST: "127.0.0.1" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage: npm start -- [-p|--port PORT] [-H|--hostname HOST]");
  });

  it("refuses a PORT that is not a port", async () => {
    const result = await serverCommand([], { PORT: "eighty" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid port "eighty" (from PORT)');
  });

  it("prints the usage for --help", async () => {
    const result = await serverCommand(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm start -- [-p|--port PORT] [-H|--hostname HOST]");
  });
});

describe("the server's Node options", () => {
  it("are the ones npm start and the container's CMD pass, and Node takes them", async () => {
    const start = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe(`NODE_ENV=production node ${SERVER_NODE_OPTIONS.join(" ")} server.mjs`);
    const cmd = /^CMD (.+)$/m.exec(fs.readFileSync("deploy/Dockerfile", "utf8"))?.[1];
    expect(cmd && JSON.parse(cmd)).toEqual(["node", ...SERVER_NODE_OPTIONS, "server.mjs"]);
    // Young objects that survive a while make V8 grow the young generation up to its limit: past
    // the default's two 16 MB semi-spaces.
    const churn = "let kept = []; for (let i = 0; i < 3e6; i++) { const o = { i, s: 'x' + i, c: [i, i] }; if (i % 50 === 0) kept.push(o); if (kept.length > 20000) kept = []; }";
    const size = "v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size";
    const { stdout } = await run(process.execPath, [...SERVER_NODE_OPTIONS, "-p", `${churn}; ${size}`]);
    expect(Number(stdout)).toBeGreaterThan(2 * 16 * 1024 * 1024);
  });
});

/**
 * The README's first run, on a copy of the project: `npm run build` writes nothing but the build
 * (no data/, so neither a checkout nor the Docker image carries keys or a database), and the first
 * `npm start -- -p PORT -H HOST` listens there, generates the keys and logs how to sign in.
 */
describe("a fresh build and its first start", () => {
  let copy = "";
  afterAll(() => (copy ? fs.promises.rm(copy, { recursive: true, force: true }) : undefined), 120_000);

  it("keeps a checkout's data/ and generated keys out of the Docker image", () => {
    const ignored = fs.readFileSync(".dockerignore", "utf8").split("\n").map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(["data", "**/generated-credentials.json", "**/*.db"]));
  });

  it("builds without generating anything, then the first start generates the keys and says where they are", { timeout: 300_000 }, async () => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), "sessionboard-build-"));
    copyProject(copy);
    expect(fs.existsSync(path.join(copy, "data"))).toBe(false);

    const build = await run(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: copy,
      env: cleanEnv,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { message: string; stdout?: string; stderr?: string }) => {
      throw new Error(`${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
    });
    expect(build.stdout).toContain("Compiled successfully");
    expect(fs.existsSync(path.join(copy, ".next", "BUILD_ID"))).toBe(true);
    expect(fs.existsSync(path.join(copy, "data"))).toBe(false);
    expect(filesNamed(copy, /^generated-credentials\.json$|\.db(-wal|-shm|-journal)?$/)).toEqual([]);

    // The flags win over PORT (and the default 0.0.0.0), and the public URL follows the port.
    const port = await freePort();
    const server = spawn(process.execPath, ["server.mjs", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: copy,
      env: { ...cleanEnv, PORT: String(await freePort()) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    server.stdout.on("data", (chunk) => (output += chunk));
    server.stderr.on("data", (chunk) => (output += chunk));
    try {
      for (let i = 0; !output.includes("Sessionboard listening on"); i++) {
        if (server.exitCode !== null) throw new Error(`the server exited:\n${output}`);
        if (i > 600) throw new Error(`not listening after 60 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain(`Sessionboard listening on http://127.0.0.1:${port}`);
      // Said before it listens.
      expect(output.indexOf("To read them: cat ")).toBeLessThan(output.indexOf("Sessionboard listening on"));
      const file = path.join(copy, "data", "generated-credentials.json");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const keys = JSON.parse(fs.readFileSync(file, "utf8")) as { key: string; adminKey: string };
      // The log says where the keys are and how to sign in, never the keys themselves.
      expect(output).toContain(`Sign in at http://localhost:${port}/login`);
      expect(output).toContain(`To read them: cat ${file}`);
      expect(output).not.toContain(keys.key);
      expect(output).not.toContain(keys.adminKey);
      for (const line of output.trimEnd().split("\n")) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });

      // And the admin key from the file signs in there.
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", key: keys.adminKey }),
      });
      expect(login.status).toBe(200);
      expect((await login.json()).user).toMatchObject({ username: "admin", role: "admin" });
    } finally {
      server.kill("SIGTERM");
      if (server.exitCode === null) await new Promise((resolve) => server.once("exit", resolve));
    }
  });

  it("stops on a bad setting before it listens or says it does", async () => {
    expect(fs.existsSync(path.join(copy, ".next", "BUILD_ID")), "the build of the test before").toBe(true);
    const result = await serverCommand(["-p", String(await freePort()), "-H", "127.0.0.1"], { DASHBOARD_SECRET: "too-short" }, copy);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Sessionboard cannot start. Invalid configuration");
    expect(result.stdout).toContain("DASHBOARD_SECRET: every entry must be at least 32 characters");
    expect(result.stdout).not.toContain("listening");
  });
});

/** What the project's files are, as a fresh checkout has them: without build output, data or test output. */
const NOT_COPIED = new Set([".git", "node_modules", ".next", "data", ".e2e-data", "test-results", "playwright-report", "bench-results"]);

function copyProject(target: string) {
  fs.cpSync(ROOT, target, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(ROOT, source);
      return relative === "" || !NOT_COPIED.has(relative.split(path.sep)[0]);
    },
  });
  linkTree(path.join(ROOT, "node_modules"), path.join(target, "node_modules"));
}

/**
 * node_modules as hard links: copying it would take a gigabyte, and the bundler refuses a symbolic
 * link that leads out of the project. Falls back to copying across file systems.
 */
function linkTree(from: string, to: string) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else {
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target);
      }
    }
  }
}

/** Files under `dir` (node_modules aside) whose name matches. */
function filesNamed(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name) && !path.relative(dir, entry.parentPath).split(path.sep).includes("node_modules"))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}
