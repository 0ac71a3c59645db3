#!/usr/bin/env bash
# Creates a migration from the difference between the committed schema and the working one.
# (`prisma migrate dev` with the WebAssembly engine panics while describing constraints in a
# shadow database; a datamodel-to-datamodel diff needs no database at all.)
set -euo pipefail
name=${1:?usage: scripts/new-migration.sh <name>}
old=$(mktemp --suffix=.prisma)
git show HEAD:prisma/schema.prisma > "$old"
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
DATABASE_URL=${DATABASE_URL:-postgresql://unused@localhost/unused} \
  npx prisma migrate diff --from-schema-datamodel "$old" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
rm -f "$old"
echo "wrote $dir/migration.sql"; cat "$dir/migration.sql"
