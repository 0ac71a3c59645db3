#!/usr/bin/env bash
# After `npm ci`/`npm install`: generate the Prisma client (offline, WebAssembly engine) and build
# the web app, so the first `npm start` serves within seconds. FACEAGE_SKIP_BUILD=1 skips the
# build (the Docker image builds after copying the sources).
set -euo pipefail
DATABASE_URL=${DATABASE_URL:-postgresql://build@localhost/build} npx prisma generate >/dev/null 2>&1 || DATABASE_URL=${DATABASE_URL:-postgresql://build@localhost/build} npx prisma generate
echo "faceage: Prisma client generated"
if [ -z "${FACEAGE_SKIP_BUILD:-}" ] && [ -d app ]; then
  echo "faceage: building the web app (next build)…"
  NEXT_TELEMETRY_DISABLED=1 npx next build >/dev/null 2>.next-build.log || { cat .next-build.log >&2; echo "faceage: web app build failed; npm start will retry" >&2; }
  rm -f .next-build.log
fi
