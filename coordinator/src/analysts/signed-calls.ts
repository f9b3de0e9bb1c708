// The check of a signed analyst call (a plaintext loopback coordinator's analyst authentication): the signature, a
// timestamp close to now, and a nonce not seen before, so a call captured on loopback cannot be replayed.
import { parseAnalystCall, verifyAnalystCall } from '@tessera/proto';

/** How far a signed call's clock may be from the coordinator's. */
export const CALL_WINDOW_MS = 5 * 60_000;

/** Nonces kept to refuse replays (each for CALL_WINDOW_MS on both sides of its time): a bound on memory. */
const MAX_NONCES = 100_000;

export class SignedCalls {
  /** nonce (base64) -> when it may be forgotten. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The identity (Ed25519 public key) that signed this call of `method`, or why the call proves none. */
  check(method: string, value: string | undefined): { identity: Uint8Array } | { problem: string } {
    if (!value)
      return {
        problem:
          'a call to a plaintext coordinator (--insecure) must be signed by the analyst (metadata ' +
          'tessera-analyst-call; the tessera CLI and AnalystClient sign every call)',
      };
    const call = parseAnalystCall(value);
    if (!call) return { problem: 'the tessera-analyst-call metadata is not a signed call' };
    const now = this.now();
    if (Math.abs(now - call.timeMs) > CALL_WINDOW_MS)
      return {
        problem:
          `the signed call is dated ${new Date(call.timeMs).toISOString()}, more than ` +
          `${CALL_WINDOW_MS / 60_000} minutes from the coordinator's clock (${new Date(now).toISOString()}): ` +
          "set this machine's clock",
      };
    if (!verifyAnalystCall(method, call)) return { problem: 'the signature of the call does not verify' };
    const nonce = Buffer.from(call.nonce).toString('base64');
    this.forgetExpired(now);
    if (this.seen.has(nonce)) return { problem: 'this signed call was already made (replayed?)' };
    if (this.seen.size >= MAX_NONCES)
      return { problem: 'too many signed calls in the last minutes; retry in a minute' };
    this.seen.set(nonce, call.timeMs + CALL_WINDOW_MS);
    return { identity: call.identity };
  }

  private forgetExpired(now: number): void {
    // Map iteration follows insertion order, which is close to time order: stop at the first nonce still needed.
    for (const [nonce, until] of this.seen) {
      if (until >= now) break;
      this.seen.delete(nonce);
    }
  }
}
