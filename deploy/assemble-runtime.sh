#!/usr/bin/env bash
# Assembles what a production Sessionboard needs to run, from a built checkout into an empty
# directory: the built app (.next without its cache), the operator CLI bundle (dist/), the entry
# point and its plain modules (server/), public files, the SQL migrations (applied at start) and
# production dependencies only.
# No sources, no dev tooling, no data/. The container image is this directory (deploy/Dockerfile);
# an end-to-end test runs the server and the CLI from it.
#
#   deploy/assemble-runtime.sh BUILT_CHECKOUT DESTINATION
set -euo pipefail
src=$(cd "$1" && pwd)
dest=$2
for built in .next/BUILD_ID dist/sessions.mjs; do
  [ -e "$src/$built" ] || { echo "assemble-runtime: $src/$built is missing: run npm run build first" >&2; exit 1; }
done
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
[ -z "$(ls -A "$dest")" ] || { echo "assemble-runtime: $dest is not empty" >&2; exit 1; }

cp -a "$src/package.json" "$src/package-lock.json" "$src/server.mjs" "$src/server" "$src/next.config.js" "$src/public" "$src/dist" "$dest/"
mkdir -p "$dest/prisma/sqlite" "$dest/prisma/postgres"
cp -a "$src/prisma/sqlite/migrations" "$dest/prisma/sqlite/"
cp -a "$src/prisma/postgres/migrations" "$dest/prisma/postgres/"
# The build's cache only speeds up the next build.
mkdir -p "$dest/.next"
tar -C "$src/.next" --exclude=./cache -cf - . | tar -C "$dest/.next" -xf -
# Hard links where the file system allows (fast, no extra space), then the dev dependencies go:
# prune reads package-lock.json and needs no network; it removes links, never the originals.
# Optional packages go too: dev tools that are also optional peers of a production package
# (Playwright of next, Prisma's CLI and TypeScript of @prisma/client) are "devOptional" and stay
# unless both are omitted, and the app needs no optional one (sharp: no next/image; SWC: no builds).
cp -al "$src/node_modules" "$dest/node_modules" 2>/dev/null || cp -a "$src/node_modules" "$dest/node_modules"
(cd "$dest" && npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
find "$dest/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
