import { PsiParty, psiReady, type PsiBlindedSet, type PsiReblindedSet, type PsiRole } from '@tessera/psi';
import { psiRoles, type tessera } from '@tessera/proto';
import { SPEC_CAPS } from '@tessera/jobs';
import type { LocalData } from './local-data.js';

/** Wire form of a PSI message (a set of blinded points) and back. */
const toWire = (m: PsiBlindedSet | PsiReblindedSet, task: tessera.v1.ITaskRef): tessera.v1.IPsiPoints => ({
  task,
  kind: m.kind,
  version: m.version,
  session: m.session,
  from: m.from,
  count: m.count,
  points: m.points,
});

function fromWire(m: tessera.v1.IPsiPoints): PsiBlindedSet | PsiReblindedSet {
  return {
    kind: m.kind as 'psi/blinded',
    version: Number(m.version ?? 0) as 1,
    session: m.session ?? '',
    from: (m.from ?? '') as PsiRole,
    count: Number(m.count ?? 0),
    points: m.points ?? new Uint8Array(0),
  };
}

/**
 * This node's side of an audience-overlap run: it blinds its identifier column and answers the
 * peer's sets as the coordinator relays them; the identifiers never leave in any form the peer or
 * the coordinator could match without this node's key.
 */
export class PsiSession {
  private constructor(
    readonly ref: tessera.v1.ITaskRef,
    private readonly party: PsiParty,
  ) {}

  static async start(
    task: tessera.v1.ITask,
    data: LocalData,
  ): Promise<{ session: PsiSession; message: tessera.v1.IPsiPoints; identifiers: number }> {
    const overlap = task.overlap;
    const column = overlap?.column ?? '';
    const table = data.table(task.dataset ?? '');
    const index = table.columns.indexOf(column);
    if (index < 0)
      throw new Error(
        `data set "${task.dataset}" has no identifier column "${column}" (columns: ${table.columns.join(', ')})`,
      );
    const ids = table.rows.map((r) => r[index]).filter((v): v is string => v !== undefined && v !== '');
    // The refusal names the cap, never the count: how many customers this node has is its owner's business.
    if (new Set(ids).size > SPEC_CAPS.psiSetSize)
      throw new Error(
        `column "${column}" of data set "${task.dataset}" holds more identifiers than the ${SPEC_CAPS.psiSetSize} ` +
          'of the psiSetSize cap; refused before blinding any',
      );
    await psiReady();
    const { party, message } = PsiParty.start(ids, {
      // An unspecified or unknown role reaches PsiParty as such, which refuses it.
      role: (psiRoles.fromProto(overlap?.role) ?? `unspecified (${overlap?.role ?? 0})`) as PsiRole,
      session: overlap?.session ?? '',
      // A peer's set larger than the cap is refused before any point of it is re-blinded.
      maxPeerSetSize: SPEC_CAPS.psiSetSize,
    });
    return {
      session: new PsiSession(task.ref ?? {}, party),
      message: toWire(message, task.ref ?? {}),
      identifiers: ids.length,
    };
  }

  /** The peer's blinded set -> our re-blinding of it; the peer's re-blinding of ours -> the overlap. */
  onPoints(m: tessera.v1.IPsiPoints): { reply: tessera.v1.IPsiPoints } | { overlap: number } {
    const message = fromWire(m);
    if (message.kind === 'psi/blinded') return { reply: toWire(this.party.receive(message), this.ref) };
    if (message.kind === 'psi/reblinded') return { overlap: this.party.finish(message as PsiReblindedSet) };
    throw new Error(`unknown set kind ${JSON.stringify(m.kind)}`);
  }
}
