/** What every protocol state shares: it can be left exactly once, so a stale state cannot accept a message. */
export abstract class VlrState {
  private done = false;

  /** Marks the state as left; throws when it was already. */
  protected leave(): void {
    if (this.done) throw new Error(`${this.constructor.name} was already used: continue with the state it returned`);
    this.done = true;
  }
}

/** Refuses a message that is not for this step or role, naming the field. */
export function expectMessage(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected message: ${what}`);
}
