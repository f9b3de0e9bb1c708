/** A bad input to a payout computation; the message starts with the field to change. */
export class PayoutInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message.startsWith(field) ? message : `${field}: ${message}`);
    this.name = 'PayoutInputError';
  }
}
