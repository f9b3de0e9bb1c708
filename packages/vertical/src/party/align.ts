/**
 * Private ID alignment over a PeerLink (@tessera/psi): the guest is the initiator, the host the responder; each
 * side ends with its own rows of the shared identifiers in one agreed order. Refuses an overlap below the run's
 * minimum, naming the minimum (the overlap size is what the protocol reveals to both sides anyway).
 *
 * The protocol's order follows the doubly blinded values, so it changes from run to run. Both sides then re-sort
 * the shared rows by keyed hashes of their identifiers (which each side computes alone and both compute alike for a
 * shared customer), keyed by the run's public seed when it gives one (`orderSeed`), else by the salt: the order of
 * training depends only on the seed and the shared identifiers, so a job rerun with the same seed (and a fresh salt,
 * as every job draws) reproduces its model. The order is public (so is the seed); it says nothing about which
 * customers are shared.
 */
import { createHash } from 'node:crypto';
import { type Alignment, type AlignmentBlinder, alignmentKeys, psiReady, startAlignment } from '@tessera/psi';
import { type PartyChannel, PartyRefusal } from './channel.js';

const KEY_BYTES = 32; // alignmentKeys: one SHA-256 per identifier

export interface AlignOptions {
  readonly salt: Uint8Array;
  readonly session: string;
  readonly minOverlap: number;
  readonly blinder?: AlignmentBlinder;
  /** Key the agreed order by this public seed instead of the salt (training: reproducible across jobs). */
  readonly orderSeed?: string;
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
  const orderKey =
    options.orderSeed === undefined
      ? options.salt
      : createHash('sha256').update('tessera/v1/vertical-order\0').update(options.orderSeed, 'utf8').digest();
  return canonicalOrder(alignment, ids, orderKey);
}

/** The alignment with its rows sorted by the salted keys of their identifiers (both sides get the same order). */
function canonicalOrder(alignment: Alignment, ids: readonly string[], salt: Uint8Array): Alignment {
  const keys = Buffer.from(
    alignmentKeys(
      Array.from(alignment.rows, (r) => ids[r]!),
      salt,
    ),
  );
  const order = Array.from(alignment.rows.keys()).sort((a, b) =>
    keys.compare(keys, b * KEY_BYTES, (b + 1) * KEY_BYTES, a * KEY_BYTES, (a + 1) * KEY_BYTES),
  );
  return { ...alignment, rows: Uint32Array.from(order, (i) => alignment.rows[i]!) };
}
