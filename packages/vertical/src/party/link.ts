/**
 * How a party reaches its peer: whole messages, delivered in order, in both directions. The service layer
 * implements it over the coordinator's relay (sealed end to end); `linkedPair` joins two parties in one process.
 */
import type { VerticalMessage } from './messages.js';

export interface PeerLink {
  send(message: VerticalMessage): Promise<void>;
  /** The peer's next message; rejects when the link is closed or the run is aborted. */
  receive(): Promise<VerticalMessage>;
}
