/** An expected failure whose message is safe and useful to show to the user. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHORIZED' = 'BAD_REQUEST',
  ) {
    super(message);
  }
}
