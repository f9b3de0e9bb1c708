/**
 * Private ID alignment over a PeerLink (@tessera/psi): the guest is the initiator, the host the responder; each
 * side ends with its own rows of the shared identifiers in one agreed order. Refuses an overlap below the run's
 * minimum, naming the minimum (the overlap size is what the protocol reveals to both sides anyway).
 */
import { type Alignment, type AlignmentBlinder, psiReady, startAlignment } from '@tessera/psi';
import { type PartyChannel, PartyRefusal } from './channel.js';

export interface AlignOptions {
  readonly salt: Uint8Array;
  readonly session: string;
  readonly minOverlap: number;
  readonly blinder?: AlignmentBlinder;
}

export async function alignWithPeer(
  channel: PartyChannel,
  ids: readonly string[],
  options: AlignOptions,
): Promise<Alignment> {
  const { minOverlap } = options;
  if (!Number.isSafeInteger(minOverlap) || minOverlap < 1)
    throw new PartyRefusal(`the ${channel.role}'s minimum overlap must be a positive integer, got ${minOverlap}`);
  await psiReady();
  const start = await startAlignment(ids, {
    role: channel.role === 'guest' ? 'initiator' : 'responder',
    salt: options.salt,
    session: options.session,
    ...(options.blinder === undefined ? {} : { blinder: options.blinder }),
  });
  await channel.send(start.message);
  const peerSet = await channel.receive('psi-align/blinded');
  const second = await start.stage.receive(peerSet);
  await channel.send(second.message);
  const ownSet = await channel.receive('psi-align/reblinded');
  const third = second.stage.finish(ownSet);
  await channel.send(third.message);
  const alignment = third.stage.confirm(await channel.receive('psi-align/confirmation'));
  if (alignment.size < minOverlap)
    throw new PartyRefusal(
      `only ${alignment.size} identifiers are shared, fewer than the minimum overlap of ${minOverlap}`,
    );
  return alignment;
}
