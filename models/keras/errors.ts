/**
 * Errors raised while importing a Keras model. Every error names what went wrong and what the
 * user can do next (`hint`), so the CLI can print it without a stack trace.
 */
export type KerasImportErrorCode =
  | 'missing-file'
  | 'not-hdf5'
  | 'truncated'
  | 'corrupt'
  | 'weights-only'
  | 'not-keras'
  | 'unsupported-version'
  | 'unsupported-layer'
  | 'unsupported-shape'
  | 'missing-weights'
  | 'bad-config';

export class KerasImportError extends Error {
  readonly code: KerasImportErrorCode;
  readonly hint: string;
  constructor(code: KerasImportErrorCode, message: string, hint: string) {
    super(hint ? `${message}\n  next step: ${hint}` : message);
    this.name = 'KerasImportError';
    this.code = code;
    this.hint = hint;
  }
}

export const HINT_REDOWNLOAD =
  'download the file again (the published model is https://github.com/AIM-Harvard/FaceAge/releases/download/v1/faceage_model.h5) ' +
  'and check that its size matches the release, then run `faceage model import <file.h5>` again';

/** A layer (or layer option) the converter does not support. */
export function unsupportedLayer(name: string, className: string, why: string): KerasImportError {
  return new KerasImportError(
    'unsupported-layer',
    `layer '${name}' (${className}): ${why}`,
    'this converter supports the layers of the FaceAge / Inception-ResNet v1 family (see docs/keras.md); ' +
      'convert the model with a supported layer set or open an issue with the layer name and type',
  );
}

export function unsupportedShape(name: string, className: string, why: string): KerasImportError {
  return new KerasImportError(
    'unsupported-shape',
    `layer '${name}' (${className}): ${why}`,
    'check that the file is the FaceAge model (160×160×3 input, channels_last); see docs/keras.md for supported shapes',
  );
}
