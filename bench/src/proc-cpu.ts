import { readFileSync } from 'node:fs';

/**
 * Clock ticks per second of /proc's CPU times: USER_HZ, which Linux fixes at 100 for user space on every mainstream
 * architecture (`getconf CLK_TCK`), whatever the kernel's internal HZ.
 */
const USER_HZ = 100;

/**
 * CPU seconds a process has used so far, user plus system, all its threads (utime + stime of /proc/<pid>/stat; Linux).
 * Resolution 10 ms.
 */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`cannot read CPU times from /proc/${pid}/stat`);
  return (utime + stime) / USER_HZ;
}
