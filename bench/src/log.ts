/** Progress lines on stderr, prefixed with the seconds since start. */
export function stderrLog(prefix: string): (line: string) => void {
  const t0 = performance.now();
  return (line) =>
    process.stderr.write(`[${prefix} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
}
