/**
 * Photo decoding with sharp: EXIF orientation applied, alpha removed, 8-bit RGB interleaved.
 * Embedded ICC profiles are ignored, as PIL / skimage (the reference pipeline's decoders) do:
 * the pixel values are the file's own, not colour-managed.
 * Truncated or corrupt files are errors (like PIL, which the reference pipeline used), never a
 * half-grey image silently scored.
 */
import sharp from 'sharp';
import type { RgbImage } from './mtcnn.ts';

sharp.cache(false);
sharp.concurrency(1);

export class DecodeError extends Error {}

export async function decodeImage(input: Buffer | Uint8Array | string): Promise<RgbImage> {
  if (typeof input !== 'string' && input.length === 0) throw new DecodeError('unreadable image: empty file');
  try {
    const { data, info } = await sharp(input, { failOn: 'truncated', ignoreIcc: true })
      .autoOrient()
      .removeAlpha()
      .toColourspace('srgb') // CMYK, 16-bit and other inputs → 8-bit sRGB
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    if (channels === 3) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
    const out = new Uint8Array(width * height * 3);
    if (channels === 1 || channels === 2) {
      for (let i = 0; i < width * height; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[i * channels];
    } else {
      for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * channels + c];
    }
    return { data: out, width, height };
  } catch (err) {
    throw new DecodeError(`unreadable image: ${(err as Error).message.replace(/\s+/g, ' ').trim()}`);
  }
}
