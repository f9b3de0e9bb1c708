export function checkSameLength(y: ArrayLike<number>, p: ArrayLike<number>): void {
  if (y.length !== p.length)
    throw new RangeError(`labels have length ${y.length} but predictions have length ${p.length}`);
}
