/**
 * One regular expression written as several literals and joined source to source, so that an expected message too
 * long for one line can be matched exactly. Each piece must be a pattern of its own: split between atoms, never inside
 * a group or a character class. The pieces share their flags.
 */
export function joinedRegExp(...pieces: readonly RegExp[]): RegExp {
  const flags = pieces[0]?.flags ?? '';
  if (pieces.some((p) => p.flags !== flags)) throw new TypeError('joinedRegExp: the pieces have different flags');
  return new RegExp(pieces.map((p) => p.source).join(''), flags);
}
