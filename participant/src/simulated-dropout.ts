import { seededRandom } from '@tessera/ml';
import { tessera } from '@tessera/proto';

const pb = tessera.v1;

/** Demo and test setting: in every training round, `fraction` of the participants drop out at a random step. */
export interface DropoutPlan {
  fraction: number;
  seed: string;
  /** Participants in the federation and this one's position among them. */
  participants: number;
  position: number;
}

const SECURE_STEPS = [pb.Stage.ADVERTISE_KEYS, pb.Stage.SHARE_KEYS, pb.Stage.MASKED_INPUT, pb.Stage.UNMASK];

/** Which participants drop in a round: the same answer in every process, from the seed. */
export function droppersOf(plan: Omit<DropoutPlan, 'position'>, round: number): Set<number> {
  const count = Math.round(plan.fraction * plan.participants);
  const order = Array.from({ length: plan.participants }, (_, i) => i);
  seededRandom(`${plan.seed}/dropouts/round-${round}`).shuffle(order);
  return new Set(order.slice(0, count));
}

/**
 * A `dropAt` hook for a ParticipantNode: on the first attempt of each training round, if this
 * participant is among that round's droppers, it disconnects on receiving one step of the fit
 * (a random one of the four secure-aggregation steps, or the plaintext fit task). It reconnects
 * after its backoff and takes part again from the next round.
 */
export function simulatedDropout(plan: DropoutPlan): (ref: tessera.v1.ITaskRef) => boolean {
  const dropped = new Set<number>();
  return (ref) => {
    const round = ref.round ?? 0;
    const secure = (ref.computation ?? 0) === pb.Stage.FIT;
    const plainFit = (ref.stage ?? 0) === pb.Stage.FIT;
    if (round < 1 || (!secure && !plainFit) || (ref.attempt ?? 1) > 1 || dropped.has(round)) return false;
    if (!droppersOf(plan, round).has(plan.position)) return false;
    const step = secure
      ? SECURE_STEPS[seededRandom(`${plan.seed}/dropouts/round-${round}/p${plan.position}`).int(SECURE_STEPS.length)]
      : pb.Stage.FIT;
    if ((ref.stage ?? 0) !== step) return false;
    dropped.add(round);
    return true;
  };
}
