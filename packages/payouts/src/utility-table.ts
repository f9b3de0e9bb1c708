import { tableGame, type Game } from './game.js';
import { MAX_EXACT_PLAYERS } from './exact-shapley.js';
import { PayoutInputError } from './payout-input-error.js';

/** A game read from `{"players": [...], "utilities": {"": 0, "a": 1, "a,b": 3, ...}}`. */
export interface UtilityTable {
  players: string[];
  game: Game;
}

/** The key of a coalition mask: its players' names joined by commas, in the order of `players`. */
export function coalitionKey(players: readonly string[], mask: number): string {
  return players.filter((_, i) => (mask >> i) & 1).join(',');
}

function parsePlayers(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new PayoutInputError('players', 'players must be a non-empty array of player names');
  if (value.length > MAX_EXACT_PLAYERS)
    throw new PayoutInputError(
      'players',
      `players lists ${value.length} players; a utility table can hold at most ${MAX_EXACT_PLAYERS}`,
    );
  const seen = new Set<string>();
  return value.map((p, i) => {
    const name = typeof p === 'string' ? p.trim() : '';
    if (name === '' || name.includes(','))
      throw new PayoutInputError(
        'players',
        `players[${i}] must be a non-empty name without commas, got ${JSON.stringify(p)}`,
      );
    if (seen.has(name)) throw new PayoutInputError('players', `players lists "${name}" twice`);
    seen.add(name);
    return name;
  });
}

/**
 * Reads a utility table: coalition keys are comma-joined player names in any order (whitespace is trimmed, "" is the
 * empty coalition) and every one of the 2^n coalitions must be given exactly once. Errors name the key to fix.
 */
export function parseUtilityTable(json: unknown): UtilityTable {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new PayoutInputError(
      'utilities',
      'a utility table must be a JSON object {"players": [...], "utilities": {...}}',
    );
  const { players: rawPlayers, utilities } = json as Record<string, unknown>;
  const players = parsePlayers(rawPlayers);
  if (typeof utilities !== 'object' || utilities === null || Array.isArray(utilities)) {
    throw new PayoutInputError('utilities', 'utilities must be an object from coalition keys such as "a,b" to numbers');
  }
  const index = new Map(players.map((p, i) => [p, i]));
  const table = new Float64Array(2 ** players.length);
  const keyOf = new Map<number, string>();
  for (const [key, value] of Object.entries(utilities as Record<string, unknown>)) {
    const names = key.trim() === '' ? [] : key.split(',').map((s) => s.trim());
    let mask = 0;
    for (const name of names) {
      const i = index.get(name);
      if (i === undefined)
        throw new PayoutInputError(
          'utilities',
          `utilities key "${key}": unknown player "${name}" (players are ${players.join(', ')})`,
        );
      if (mask & (1 << i))
        throw new PayoutInputError('utilities', `utilities key "${key}" names player "${name}" twice`);
      mask |= 1 << i;
    }
    const earlier = keyOf.get(mask);
    if (earlier !== undefined)
      throw new PayoutInputError(
        'utilities',
        `utilities keys "${earlier}" and "${key}" are the same coalition; give each coalition once`,
      );
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new PayoutInputError(
        'utilities',
        `utilities key "${key}" must map to a finite number, got ${JSON.stringify(value)}`,
      );
    keyOf.set(mask, key);
    table[mask] = value;
  }
  for (let mask = 0; mask < table.length; mask++) {
    if (!keyOf.has(mask)) {
      throw new PayoutInputError(
        'utilities',
        'utilities has no value for coalition ' +
          `"${coalitionKey(players, mask)}"${mask === 0 ? ' (the empty coalition, key "")' : ''}: ` +
          `every one of the ${table.length} coalitions of ${players.length} players is needed`,
      );
    }
  }
  return { players, game: tableGame(players.length, table) };
}
