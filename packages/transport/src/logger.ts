// The logger the services write to: a message with structured fields (ids and counts, never secrets) at a level.
// A pino logger fits it as it is; lineLogger adapts a `(line) => void` for callers that want plain text lines.

/** Log levels, least severe first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * Where a service logs. `fields` carries ids and counts (jobId, round, stage, participantId, replicaId, analystId,
 * ...), `msg` the human sentence. Never put tokens, keys, shares, masks, model weights or data values in either.
 */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  /** A logger that adds `fields` to every line. */
  child(fields: object): Logger;
}

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };

/**
 * A Logger that gives `log` each message at `level` or above (default info) as its text alone, without the fields:
 * what the `log?: (line: string) => void` options of the coordinator and the participant node were always given.
 */
export function lineLogger(log: (line: string) => void, level: LogLevel = 'info'): Logger {
  const at =
    (l: LogLevel) =>
    (_fields: object, msg: string): void => {
      if (RANK[l] >= RANK[level]) log(msg);
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/** A Logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** `logger`, else `log` as a lineLogger at `level`, else silentLogger: how a service picks its logger from options. */
export function loggerOf(o: { logger?: Logger; log?: (line: string) => void }, level: LogLevel = 'info'): Logger {
  return o.logger ?? (o.log ? lineLogger(o.log, level) : silentLogger);
}
