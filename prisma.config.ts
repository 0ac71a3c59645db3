import { defineConfig } from 'prisma/config';
import { migrationAdapter } from './server/db/pg-config.ts';

// Prisma 6 with the JavaScript schema engine: works offline (no engine downloads).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    return migrationAdapter(url);
  },
});
