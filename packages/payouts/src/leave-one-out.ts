import { checkPlayers, grandCoalition, type Game } from './game.js';

/** Leave-one-out values: U(N) - U(N \ {i}) for every player i. */
export function leaveOneOut(game: Game): number[] {
  checkPlayers(game.players);
  const all = grandCoalition(game.players);
  const total = game.utility(all);
  return Array.from({ length: game.players }, (_, i) => total - game.utility(all & ~(1 << i)));
}
