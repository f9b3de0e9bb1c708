/** The largest number of players a coalition bit mask can hold. */
export const MAX_PLAYERS = 30;

/** A cooperative game over players 0..players-1; a coalition is a bit mask (players <= 30). */
export interface Game {
  readonly players: number;
  utility(coalition: number): number;
}

/** Throws unless `players` is an integer in [1, limit]. */
export function checkPlayers(players: number, limit = MAX_PLAYERS): void {
  if (!Number.isInteger(players) || players < 1 || players > limit) {
    throw new RangeError(`players must be an integer from 1 to ${limit}, got ${players}`);
  }
}

/** The coalition of every player. */
export function grandCoalition(players: number): number {
  return players === 30 ? 0x3fffffff : (1 << players) - 1;
}

/** Memoises utilities and counts the distinct coalitions evaluated. */
export class CachedGame implements Game {
  readonly players: number;
  private readonly cache = new Map<number, number>();

  constructor(private readonly game: Game) {
    checkPlayers(game.players);
    this.players = game.players;
  }

  utility(coalition: number): number {
    let u = this.cache.get(coalition);
    if (u === undefined) {
      u = this.game.utility(coalition);
      this.cache.set(coalition, u);
    }
    return u;
  }

  get evaluations(): number {
    return this.cache.size;
  }
}

/** A game given by its table of utilities, indexed by coalition mask (2^players entries). */
export function tableGame(players: number, utilities: ArrayLike<number>): Game {
  checkPlayers(players, 24);
  const size = 2 ** players;
  if (utilities.length !== size)
    throw new RangeError(`utilities must have 2^${players} = ${size} entries, got ${utilities.length}`);
  for (let s = 0; s < size; s++) {
    if (!Number.isFinite(utilities[s]))
      throw new RangeError(`utilities[${s}] must be a finite number, got ${utilities[s]}`);
  }
  const table = Float64Array.from(utilities as ArrayLike<number>);
  return {
    players,
    utility(coalition: number): number {
      if (!(coalition >= 0 && coalition < size && Number.isInteger(coalition)))
        throw new RangeError(`coalition ${coalition} is not a mask of ${players} players`);
      return table[coalition]!; // 0 <= coalition < size = table.length, checked above
    },
  };
}
