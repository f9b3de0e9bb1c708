// The log of a service command (coordinator start, participant start): JSON lines through pino, or the human
// "ISO-time line" text, on stderr, from --log-level and --log-format.
import { pino } from 'pino';
import { LOG_LEVELS, lineLogger, type Logger, type LogLevel } from '@tessera/transport';
import { UsageError } from './errors.js';

export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/** The --log-format option of a service command: [flags, description, default]. */
export const LOG_FORMAT_OPTION = [
  '--log-format <format>',
  'json: one JSON object a line (level, time, msg, and fields such as jobId, round, stage, participantId); ' +
    'text: "ISO-time message" lines for people',
  'json',
] as const;

/** A service's logger, and a plain-line function for the lines the command writes itself (start, stop). */
export interface ServiceLog {
  logger: Logger;
  line: (text: string) => void;
}

/**
 * The logger for `service` ('coordinator', 'participant') at `level` in `format`, writing to stderr. `levels` are the
 * ones the command accepts (named in the error for any other).
 */
export function serviceLogger(
  service: string,
  o: { logLevel: string; logFormat: string },
  levels: readonly string[] = LOG_LEVELS,
): ServiceLog {
  const level = LOG_LEVELS.find((l) => l === o.logLevel && levels.includes(l));
  if (!level) throw new UsageError(`--log-level ${o.logLevel}: choose one of ${levels.join(', ')}`);
  const format = LOG_FORMATS.find((f) => f === o.logFormat);
  if (!format) throw new UsageError(`--log-format ${o.logFormat}: choose one of ${LOG_FORMATS.join(', ')}`);
  const logger = format === 'json' ? jsonLogger(service, level) : textLogger(level);
  return { logger, line: (text) => logger.info({}, text) };
}

/** pino to stderr, synchronously (a service exits right after its last line): level names, ISO times. */
function jsonLogger(service: string, level: LogLevel): Logger {
  return pino(
    {
      level,
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** "2026-01-02T03:04:05.678Z message" lines, the fields left out: what services logged before JSON. */
function textLogger(level: LogLevel): Logger {
  return lineLogger((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`), level);
}
