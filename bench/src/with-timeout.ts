/** `p`, or a rejection with `why()` if it has not settled within `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(why())), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
