import { describe, expect, it } from 'vitest';
import { parseEnv } from '~/server/env.ts';

describe('configuration', () => {
  it('has sensible defaults', () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.photoStoreDir.endsWith('/.data/photos')).toBe(true);
  });

  it('names the variable and the reason for a bad value', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT: .*number/i);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ connection URL/);
    expect(() => parseEnv({ EXECUTION_PROVIDER: 'tpu' })).toThrow(/EXECUTION_PROVIDER/);
  });

  it('treats empty values as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });
});
