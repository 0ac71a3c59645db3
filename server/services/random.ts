/**
 * Seeded randomness (survey samples and item orders, the synthetic demo, bootstrap): reproducible
 * from a recorded integer seed (Mulberry32 PRNG, Fisher–Yates shuffle).
 */
import crypto from 'node:crypto';

/** Mulberry32: uniform in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one 31-bit seed (for "rater seed + part"). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return h & 0x7fffffff;
}

/** Fisher–Yates shuffle of a copy, driven by the seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A fresh seed in 1 … 2³¹−1 when the coordinator does not choose one. */
export function freshSeed(): number {
  return (crypto.randomBytes(4).readUInt32BE(0) & 0x7fffffff) || 1;
}

/** Opaque item id: 16 random bytes, base64url — says nothing about the patient or the order. */
export function opaqueId(): string {
  return crypto.randomBytes(16).toString('base64url');
}
