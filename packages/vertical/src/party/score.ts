/**
 * Joint scoring of new customers with a trained vertical model: align the guest's and the host's identifiers (the
 * same PSI), then the host's partial scores (logistic) or its answers to score queries (SecureBoost) for every
 * shared row, then finished. The guest ends with a probability per shared identifier, in its own row order; the host
 * learns only which aligned rows are asked about (all of them) and, for SecureBoost, the row sets at its splits.
 */
import { sigmoid } from '@tessera/ml';
import type { AlignmentBlinder } from '@tessera/psi';
import { alignWithPeer } from './align.js';
import { scoreBoostRows, serveBoostScoring } from './boost-party.js';
import { PartyChannel, PartyRefusal } from './channel.js';
import type { PeerLink } from './link.js';
import {
  guestBoostFromSaved,
  hostSplitsFromSaved,
  parseGuestModel,
  parseHostModel,
  type GuestVerticalModel,
  type HostVerticalModel,
} from './model.js';
import type { VerticalScores } from './results.js';
import { applyStandardisation } from './standardise.js';
import { checkTable, columnsNamed } from './table.js';
import type { PartyTable, VerticalPhase } from './types.js';
import { answerPartialScores, requestPartialScores } from './vlr-party.js';

interface ScoringCommon {
  readonly link: PeerLink;
  /** This party's table of customers to score (the guest's has no label). */
  readonly table: PartyTable;
  readonly salt: Uint8Array;
  readonly session: string;
  readonly blinder?: AlignmentBlinder;
  /** Refuse when fewer identifiers are shared (default 1). */
  readonly minOverlap?: number;
  readonly signal?: AbortSignal;
  readonly progress?: (phase: VerticalPhase, detail: string) => void;
}

export interface VerticalGuestScoringInput extends ScoringCommon {
  readonly model: GuestVerticalModel;
}

export interface VerticalHostScoringInput extends ScoringCommon {
  readonly model: HostVerticalModel;
}

function start(role: 'guest' | 'host', input: ScoringCommon) {
  const channel = new PartyChannel(input.link, role, input.signal, input.progress);
  return channel;
}

async function align(channel: PartyChannel, input: ScoringCommon) {
  checkTable(channel.role, input.table);
  channel.report('align', `aligning ${input.table.ids.length} identifiers`);
  const alignment = await alignWithPeer(channel, input.table.ids, {
    salt: input.salt,
    session: input.session,
    minOverlap: input.minOverlap ?? 1,
    ...(input.blinder === undefined ? {} : { blinder: input.blinder }),
  });
  channel.report('score', `${alignment.size} identifiers shared`);
  return alignment;
}

/** The guest's side: scores of its rows that the host also has, in its local row order. */
export async function scoreVerticalGuest(input: VerticalGuestScoringInput): Promise<VerticalScores> {
  const channel = start('guest', input);
  try {
    let model: GuestVerticalModel;
    try {
      model = parseGuestModel(input.model);
    } catch (e) {
      throw new PartyRefusal(`the guest's model is not usable: ${(e as Error).message}`);
    }
    const columns = columnsNamed('guest', input.table, model.featureNames);
    const alignment = await align(channel, input);
    const aligned = Uint32Array.from({ length: alignment.size }, (_, i) => i);
    const own = applyStandardisation(columns, model.standardisation, alignment.rows);
    let margins: Float64Array;
    if (model.kind === 'vertical-logistic') {
      const { weights, bias } = model;
      const host = await requestPartialScores(channel, aligned);
      margins = host.map((u, i) => {
        let m = bias + u;
        for (let j = 0; j < weights.length; j++) m += weights[j]! * own[j]![i]!;
        return m;
      });
    } else margins = await scoreBoostRows(channel, guestBoostFromSaved(model), own, aligned);
    await channel.send({ kind: 'vertical/finished' });
    const order = Array.from(aligned).sort((a, b) => alignment.rows[a]! - alignment.rows[b]!);
    return {
      ids: order.map((i) => input.table.ids[alignment.rows[i]!]!),
      scores: Float64Array.from(order, (i) => sigmoid(margins[i]!)),
    };
  } catch (e) {
    return channel.fail(e);
  }
}

/** The host's side: answers the guest's scoring requests until it has finished. */
export async function serveVerticalHostScoring(input: VerticalHostScoringInput): Promise<{ overlap: number }> {
  const channel = start('host', input);
  try {
    let model: HostVerticalModel;
    try {
      model = parseHostModel(input.model);
    } catch (e) {
      throw new PartyRefusal(`the host's model is not usable: ${(e as Error).message}`);
    }
    const columns = columnsNamed('host', input.table, model.featureNames);
    const alignment = await align(channel, input);
    const own = applyStandardisation(columns, model.standardisation, alignment.rows);
    if (model.kind === 'vertical-logistic') {
      for (;;) {
        const m = await channel.receive('vertical/partial-score-request', 'vertical/finished');
        if (m.kind === 'vertical/finished') break;
        await answerPartialScores(channel, m, own, model.weights, () => true);
      }
    } else await serveBoostScoring(channel, hostSplitsFromSaved(model), own);
    return { overlap: alignment.size };
  } catch (e) {
    return channel.fail(e);
  }
}
