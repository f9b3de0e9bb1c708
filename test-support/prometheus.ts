/** One sample of a scrape: its full name (a histogram's `_bucket`, `_sum` or `_count`), labels and value. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its type and help from `# TYPE` and `# HELP`, and its samples in order. */
export interface PrometheusFamily {
  type: string;
  help: string;
  samples: PrometheusSample[];
}

const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * Parses the Prometheus text exposition format (version 0.0.4) into families by name. A histogram's `_bucket`, `_sum`
 * and `_count` samples (a summary's `_sum` and `_count`) are grouped under the family's base name. Label values are
 * unescaped (\\, \" and \n); values may be NaN, +Inf or -Inf, in any case; a timestamp after the value is ignored.
 * A line it cannot read throws, naming the line.
 */
export function parsePrometheus(text: string): Map<string, PrometheusFamily> {
  const families = new Map<string, PrometheusFamily>();
  const family = (name: string): PrometheusFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type: 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const comment = /^#\s*(TYPE|HELP)\s+(\S+)\s*(.*)$/.exec(line);
    if (comment) {
      const [, keyword, name, rest] = comment;
      if (keyword === 'TYPE') family(name!).type = rest!.trim();
      else family(name!).help = unescapeHelp(rest!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line, index + 1);
    family(baseName(sample.name, families)).samples.push(sample);
  }
  return families;
}

/** The family a sample belongs to: `x` for `x_bucket` when `x` was declared a histogram, else its own name. */
function baseName(name: string, families: ReadonlyMap<string, PrometheusFamily>): string {
  for (const [type, suffixes] of Object.entries(SUFFIXES))
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === type) return base;
    }
  return name;
}

function parseSample(line: string, lineNumber: number): PrometheusSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`exposition line ${lineNumber}: no metric name in "${line}"`);
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!label || line[i + label[0].length] !== '=' || line[i + label[0].length + 1] !== '"')
        throw new Error(`exposition line ${lineNumber}: bad label at column ${i + 1} of "${line}"`);
      i += label[0].length + 2;
      let value = '';
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] !== '\\') value += line[i];
        else {
          const next = line[++i];
          value += next === 'n' ? '\n' : (next ?? '');
        }
      }
      if (line[i] !== '"') throw new Error(`exposition line ${lineNumber}: unterminated label value in "${line}"`);
      i++;
      labels[label[0]] = value;
    }
  }
  const [valueText] = line.slice(i).trim().split(/\s+/);
  const value = parseValue(valueText ?? '');
  if (value === undefined) throw new Error(`exposition line ${lineNumber}: bad value "${valueText}" in "${line}"`);
  return { name, labels, value };
}

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case; prom-client writes "Nan"). */
function parseValue(text: string): number | undefined {
  if (/^\+?inf(inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^[+-]?nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : undefined;
}

const unescapeHelp = (text: string): string => text.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));

/** The value of the one sample of `family` (by sample name, default the family's) whose labels include `labels`. */
export function sampleValue(
  families: ReadonlyMap<string, PrometheusFamily>,
  family: string,
  labels: Record<string, string> = {},
  sampleName = family,
): number | undefined {
  const matching = (families.get(family)?.samples ?? []).filter(
    (s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matching.length > 1)
    throw new Error(`${matching.length} samples of ${sampleName} match ${JSON.stringify(labels)}: name more labels`);
  return matching[0]?.value;
}
