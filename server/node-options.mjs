// The Node.js options the server runs with, wherever it is started: `npm start`, the container's
// CMD and the benchmarks (which give the peers they measure against the same). Plain JavaScript,
// beside server.mjs; a test holds package.json and deploy/Dockerfile to this list.

/**
 * A 64 MB young generation (V8's default: 16 MB). A page render allocates a few MB that die young;
 * with the default, the scavenger runs every few requests and copies what is still alive each
 * time. Measured with `npm run bench`: signed-in /settings/sessions ≈ 7 % more requests a second,
 * /login unchanged. V8 reads it once, as the heap is set up, so it must be on the command line (or
 * in NODE_OPTIONS), not set by the server itself.
 */
export const SERVER_NODE_OPTIONS = ["--max-semi-space-size=64"];
