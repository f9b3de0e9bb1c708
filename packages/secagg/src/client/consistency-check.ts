import { CONSISTENCY_CONTEXT, consistencyBytes, describeIndex, encodeSurvivorSet, isIndex } from '../config.js';
import type { ConsistencyCheckRequest, ConsistencyCheckResponse } from '../messages.js';
import { ClientStage, fail, type Self, type SharePair } from './stage.js';
import { ClientUnmask } from './unmask.js';

/**
 * Stage 4 (ConsistencyCheck, Bonawitz et al. 2017, section 4.2). Signs the survivor set the server shows it, once:
 * that set is the only one this client will unmask from in stage 5, and only after t members of its neighbourhood
 * are shown to have signed the same set. So a server that tells some participants that v survived and others that v
 * dropped must get t signatures over each story from the neighbourhoods that act on it.
 */
export class ClientConsistencyCheck extends ClientStage {
  /** @internal Created by `ClientMaskedInput.mask`. */
  constructor(
    protected readonly self: Self,
    private readonly ownShares: SharePair,
    private readonly received: ReadonlyMap<number, SharePair>,
  ) {
    super();
  }

  /**
   * Signs the request. Refuses ('both-shares-requested') an index in both lists or this client listed as dropped (it
   * sent its masked input); ('unknown-participant') a request that does not list this client as a survivor, or lists
   * a neighbour that sent it no shares; ('too-few') fewer than t survivors. A refusal changes nothing.
   */
  sign(request: ConsistencyCheckRequest): { message: ConsistencyCheckResponse; next: ClientUnmask } {
    this.checkNotMoved('sign');
    const { config, index } = this.self;
    const survivors = this.checkList(request?.survivors, 'survivors');
    const dropped = this.checkList(request?.dropped, 'dropped');
    for (const v of dropped) {
      if (survivors.has(v))
        fail(this.self, 'both-shares-requested', `participant ${v} is listed both as a survivor and as dropped`, v);
    }
    if (dropped.has(index))
      fail(
        this.self,
        'both-shares-requested',
        'this participant is listed as dropped, but it sent its masked input',
        index,
      );
    if (!survivors.has(index))
      fail(this.self, 'unknown-participant', 'this participant is not listed as a survivor, but it sent its input');
    if (survivors.size < config.threshold)
      fail(this.self, 'too-few', `only ${survivors.size} survivors, the threshold is ${config.threshold}`);
    for (const v of [...survivors, ...dropped]) {
      if (v !== index && config.graph.isNeighbour(index, v) && !this.received.has(v)) {
        fail(
          this.self,
          'unknown-participant',
          `participant ${v} is listed in the consistency check, but it sent no shares to this neighbour`,
          v,
        );
      }
    }
    const view = { survivors: [...survivors].sort((a, b) => a - b), dropped: [...dropped].sort((a, b) => a - b) };
    const signature = this.self.sign(
      CONSISTENCY_CONTEXT,
      consistencyBytes(config.roundId, index, encodeSurvivorSet(view.survivors, view.dropped)),
    );
    this.moveOn();
    return { message: { index, signature }, next: new ClientUnmask(this.self, this.ownShares, this.received, view) };
  }

  private checkList(list: unknown, name: string): Set<number> {
    if (!Array.isArray(list)) fail(this.self, 'unknown-participant', `the consistency check's ${name} is not a list`);
    const out = new Set<number>();
    for (const v of list) {
      if (!isIndex(this.self.config.n, v))
        fail(
          this.self,
          'unknown-participant',
          `the consistency check's ${name} names ${describeIndex(v)}, not in 0..${this.self.config.n - 1}`,
        );
      if (out.has(v)) fail(this.self, 'duplicate', `the consistency check's ${name} lists participant ${v} twice`, v);
      out.add(v);
    }
    return out;
  }
}
