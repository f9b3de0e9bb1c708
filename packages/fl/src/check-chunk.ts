/** Throws a RangeError naming the offset unless values fit in [0, total) at offset and are all finite. */
export function checkChunk(offset: number, values: ArrayLike<number>, total: number): void {
  if (!(Number.isInteger(offset) && offset >= 0)) throw new RangeError(`chunk offset ${offset} is not an integer >= 0`);
  if (offset + values.length > total) {
    throw new RangeError(
      `chunk at offset ${offset} with length ${values.length} runs past the end of the vector (length ${total})`,
    );
  }
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k]))
      throw new RangeError(`chunk at offset ${offset} has non-finite value ${values[k]} at index ${offset + k}`);
  }
}
