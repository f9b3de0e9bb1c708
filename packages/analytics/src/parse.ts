import type { AggregateFunction, ComparisonOp, Condition, Literal, Query, SelectItem } from './query.js';

export const SUBSET_SUMMARY =
  'the subset supports SELECT <group columns, COUNT(*), COUNT(col), SUM(col), ' +
  'AVG(col)/MEAN(col), VARIANCE(col)/VAR(col), ' +
  'HISTOGRAM(col), QUANTILES(col), TOP_K(col, k)> [AS alias] FROM <table> [WHERE col <op> literal | col IN (...) ' +
  'combined with AND/OR and parentheses] [GROUP BY col[, col]]';

/**
 * A query the subset cannot express or plan. `position` (1-based character offset) and `token` point at the offending
 * token when there is one.
 */
export class QueryError extends Error {
  readonly position?: number;
  readonly token?: string;
  constructor(message: string, at?: { position: number; token: string }) {
    super(at ? `SQL at ${at.position} (${JSON.stringify(at.token)}): ${message}` : message);
    this.name = 'QueryError';
    if (at) {
      this.position = at.position;
      this.token = at.token;
    }
  }
}

type TokenKind = 'ident' | 'quoted' | 'string' | 'number' | 'punct' | 'end';
interface Token {
  kind: TokenKind;
  /** Identifier / string / punctuation text (string literals unescaped; quoted identifiers unquoted). */
  value: string;
  /** The token as written, for messages. */
  raw: string;
  /** 1-based character position. */
  position: number;
}

const PUNCT = ['<=', '>=', '!=', '<>', ',', '(', ')', '*', '=', '<', '>', ';'];

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (sql.startsWith('--', i)) {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql.charAt(i))) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: 'ident', value: text, raw: text, position: start + 1 });
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) {
          throw new QueryError(
            `unterminated ${ch === '"' ? 'quoted identifier' : 'string literal'}; close it with ${ch}`,
            {
              position: start + 1,
              token: sql.slice(start, Math.min(sql.length, start + 20)),
            },
          );
        }
        if (sql[i] === ch) {
          if (sql[i + 1] === ch) {
            value += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql.charAt(i++);
      }
      if (ch === '"' && value === '')
        throw new QueryError('empty quoted identifier', { position: start + 1, token: '""' });
      tokens.push({ kind: ch === '"' ? 'quoted' : 'string', value, raw: sql.slice(start, i), position: start + 1 });
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i));
    if (num) {
      i += num[0].length;
      if (i < sql.length && /[A-Za-z_]/.test(sql.charAt(i))) {
        while (i < sql.length && /[A-Za-z0-9_]/.test(sql.charAt(i))) i++;
        throw new QueryError(
          'not a number or identifier (identifiers start with a letter or _; quote other names with "...")',
          {
            position: start + 1,
            token: sql.slice(start, i),
          },
        );
      }
      tokens.push({ kind: 'number', value: num[0], raw: num[0], position: start + 1 });
      continue;
    }
    const p = PUNCT.find((x) => sql.startsWith(x, i));
    if (p) {
      i += p.length;
      tokens.push({ kind: 'punct', value: p === '<>' ? '!=' : p, raw: p, position: start + 1 });
      continue;
    }
    if (ch === '-' || ch === '+') {
      tokens.push({ kind: 'punct', value: ch, raw: ch, position: start + 1 });
      i++;
      continue;
    }
    throw new QueryError(`unexpected character; ${SUBSET_SUMMARY}`, { position: start + 1, token: ch });
  }
  tokens.push({ kind: 'end', value: '', raw: '<end of query>', position: sql.length + 1 });
  return tokens;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'BY',
  'AND',
  'OR',
  'IN',
  'AS',
  'ORDER',
  'LIMIT',
  'HAVING',
  'JOIN',
  'NOT',
  'DISTINCT',
  'UNION',
  'ON',
]);

const FUNCTIONS: Record<string, AggregateFunction> = {
  COUNT: 'COUNT',
  SUM: 'SUM',
  AVG: 'AVG',
  MEAN: 'AVG',
  VARIANCE: 'VARIANCE',
  VAR: 'VARIANCE',
  VAR_POP: 'VARIANCE',
  HISTOGRAM: 'HISTOGRAM',
  QUANTILES: 'QUANTILES',
  TOP_K: 'TOP_K',
  TOPK: 'TOP_K',
};

const FUNCTION_LIST = 'COUNT, SUM, AVG (MEAN), VARIANCE (VAR), HISTOGRAM, QUANTILES, TOP_K';

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  /** tokenize always ends the list with an 'end' token, so the clamped index is in range. */
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  fail(expected: string, t: Token = this.peek()): never {
    throw new QueryError(`expected ${expected}; ${SUBSET_SUMMARY}`, { position: t.position, token: t.raw });
  }

  isKeyword(word: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.value.toUpperCase() === word;
  }
  keyword(word: string, expected = word): Token {
    if (!this.isKeyword(word)) this.fail(expected);
    return this.next();
  }
  isPunct(p: string, t: Token = this.peek()): boolean {
    return t.kind === 'punct' && t.value === p;
  }
  punct(p: string, expected = `"${p}"`): Token {
    if (!this.isPunct(p)) this.fail(expected);
    return this.next();
  }

  /** A column name or alias: a non-keyword identifier (as written) or a "quoted" one. */
  name(what: string): { name: string; token: Token } {
    const t = this.peek();
    if (t.kind === 'quoted') {
      this.next();
      return { name: t.value, token: t };
    }
    if (t.kind === 'ident' && !KEYWORDS.has(t.value.toUpperCase())) {
      this.next();
      return { name: t.value, token: t };
    }
    this.fail(what);
  }

  query(sql: string): Query {
    this.keyword('SELECT', 'SELECT at the start');
    if (this.isKeyword('DISTINCT')) this.fail('a select item (DISTINCT is not in the subset)');
    const items: Array<{ item: SelectItem; token: Token }> = [];
    do {
      items.push(this.selectItem());
    } while (this.isPunct(',') && this.next());
    this.keyword('FROM', 'FROM or "," after a select item');
    const table = this.name('a table name').name;
    let where: Condition | undefined;
    if (this.isKeyword('WHERE')) {
      this.next();
      where = this.orCondition();
    }
    const groupBy: Array<{ name: string; token: Token }> = [];
    if (this.isKeyword('GROUP')) {
      this.next();
      this.keyword('BY', 'BY after GROUP');
      do {
        const g = this.name('a column name in GROUP BY');
        if (groupBy.some((x) => x.name === g.name)) this.fail('a column not already in GROUP BY', g.token);
        groupBy.push(g);
      } while (this.isPunct(',') && this.next());
    }
    if (this.isPunct(';')) this.next();
    const end = this.peek();
    if (end.kind !== 'end') {
      const what = where || groupBy.length ? 'the end of the query' : 'WHERE, GROUP BY or the end of the query';
      this.fail(
        end.kind === 'ident' && ['ORDER', 'LIMIT', 'HAVING', 'JOIN', 'UNION'].includes(end.value.toUpperCase())
          ? `${what} (${end.value.toUpperCase()} is not in the subset)`
          : what,
      );
    }
    const groupNames = groupBy.map((g) => g.name);
    for (const { item, token } of items) {
      if (item.kind === 'column' && !groupNames.includes(item.column)) {
        throw new QueryError(
          `column "${item.column}" is selected without an aggregate, so it must appear in GROUP BY ` +
            `(${groupNames.length ? `GROUP BY ${groupNames.join(', ')}` : 'there is no GROUP BY'}); ` +
            'wrap it in an aggregate or add it to GROUP BY',
          { position: token.position, token: token.raw },
        );
      }
    }
    if (!items.some(({ item }) => item.kind === 'aggregate')) {
      const t = items[0]!.token; // the do-while above read at least one item
      throw new QueryError(`the query has no aggregate; select at least one of ${FUNCTION_LIST}`, {
        position: t.position,
        token: t.raw,
      });
    }
    const q: Query = { sql, items: items.map((x) => x.item), table, groupBy: groupNames };
    if (where) q.where = where;
    return q;
  }

  selectItem(): { item: SelectItem; token: Token } {
    const t = this.peek();
    let item: SelectItem;
    if (t.kind === 'ident' && this.isPunct('(', this.peek(1))) {
      const fn = FUNCTIONS[t.value.toUpperCase()];
      if (!fn) {
        throw new QueryError(`unknown aggregate ${t.value}; the subset supports ${FUNCTION_LIST}`, {
          position: t.position,
          token: t.raw,
        });
      }
      this.next();
      this.next();
      if (fn === 'COUNT' && this.isPunct('*')) {
        this.next();
        item = { kind: 'aggregate', fn };
      } else {
        if (this.isKeyword('DISTINCT'))
          this.fail(`a column name in ${t.value.toUpperCase()}(...) (DISTINCT is not in the subset)`);
        const col = this.name(
          fn === 'COUNT' ? 'a column name or * in COUNT(...)' : `a column name in ${t.value.toUpperCase()}(...)`,
        ).name;
        item = { kind: 'aggregate', fn, column: col };
        if (fn === 'TOP_K') {
          this.punct(',', '", k" in TOP_K(col, k)');
          const k = this.peek();
          if (k.kind !== 'number' || !/^\d+$/.test(k.value) || Number(k.value) < 1 || Number(k.value) > 10000) {
            this.fail('a whole number k between 1 and 10000 in TOP_K(col, k)');
          }
          this.next();
          item.k = Number(k.value);
        }
      }
      this.punct(')', `")" to close ${t.value.toUpperCase()}(`);
    } else {
      const col = this.name(`a column name or an aggregate (${FUNCTION_LIST})`);
      item = { kind: 'column', column: col.name };
    }
    if (this.isKeyword('AS')) {
      this.next();
      item.alias = this.name('an alias after AS').name;
    }
    return { item, token: t };
  }

  orCondition(): Condition {
    const first = this.andCondition();
    const parts = [first];
    while (this.isKeyword('OR')) {
      this.next();
      parts.push(this.andCondition());
    }
    return parts.length === 1 ? first : { kind: 'or', conditions: parts };
  }

  andCondition(): Condition {
    const first = this.primaryCondition();
    const parts = [first];
    while (this.isKeyword('AND')) {
      this.next();
      parts.push(this.primaryCondition());
    }
    return parts.length === 1 ? first : { kind: 'and', conditions: parts };
  }

  primaryCondition(): Condition {
    if (this.isPunct('(')) {
      this.next();
      const c = this.orCondition();
      this.punct(')', '")" to close the parenthesised condition, or AND/OR');
      return c;
    }
    const col = this.name('a condition: column <op> literal or column IN (...)').name;
    if (this.isKeyword('IN')) {
      this.next();
      this.punct('(', '"(" after IN');
      const values: Literal[] = [];
      do {
        values.push(this.literal());
      } while (this.isPunct(',') && this.next());
      this.punct(')', '"," or ")" in the IN list');
      return { kind: 'in', column: col, values };
    }
    const t = this.peek();
    const ops = ['=', '!=', '<', '<=', '>', '>='];
    if (t.kind !== 'punct' || !ops.includes(t.value))
      this.fail('a comparison operator (=, !=, <>, <, <=, >, >=) or IN');
    this.next();
    return { kind: 'compare', column: col, op: t.value as ComparisonOp, value: this.literal() };
  }

  literal(): Literal {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return t.value;
    }
    let sign = 1;
    if (this.isPunct('-') || this.isPunct('+')) {
      sign = t.value === '-' ? -1 : 1;
      this.next();
    }
    const n = this.peek();
    if (n.kind !== 'number')
      this.fail(`a literal: a number or a 'string'${n.kind === 'quoted' ? ' (use single quotes for strings)' : ''}`, n);
    this.next();
    return sign * Number(n.value);
  }
}

/** Parses the SQL subset into a Query. Throws QueryError pointing at the offending token. */
export function parseQuery(sql: string): Query {
  if (typeof sql !== 'string' || sql.trim() === '') throw new QueryError(`the query is empty; ${SUBSET_SUMMARY}`);
  return new Parser(tokenize(sql)).query(sql);
}
