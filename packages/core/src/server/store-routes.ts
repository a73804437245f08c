import { TributaryError } from '../errors.js';
import { parseKeyText } from '../query/key-text.js';
import type { LocatedStore, StoreQueries } from '../query/local-stores.js';
import type { InstanceInfo } from '../query/read-only-stores.js';
import { ForwardError, forwardGet } from './forward.js';

/** An HTTP answer before it is written: status and a JSON-able body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** Forwarded answers are relayed as the other instance wrote them. */
  readonly raw?: string;
  readonly servedBy?: string | undefined;
}

export interface StoreRouteDeps {
  readonly queries: StoreQueries;
  /** Live instances (this one included). */
  instances(): readonly InstanceInfo[];
  readonly self: string | undefined;
  readonly token: string | undefined;
  readonly forwardTimeoutMs: number;
}

/** Largest number of entries a range or scan answer holds (`limit` may ask for fewer). */
const MAX_ENTRIES = 10_000;
const DEFAULT_LIMIT = 1000;

function num(q: URLSearchParams, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n))
    throw new TributaryError(
      'QUERY_INVALID',
      `query parameter ${name} must be an integer (epoch ms or a count)`,
    );
  return n;
}

/** `limit=` (at least 1, at most MAX_ENTRIES), or `fallback`. */
function limitOf(q: URLSearchParams, fallback: number): number {
  const limit = num(q, 'limit', fallback);
  if (limit < 1) throw new TributaryError('QUERY_INVALID', 'limit must be at least 1');
  return Math.min(limit, MAX_ENTRIES);
}

async function take<T>(items: AsyncIterable<T>, limit: number): Promise<{ items: T[]; truncated: boolean }> {
  const out: T[] = [];
  for await (const item of items) {
    if (out.length >= limit) return { items: out, truncated: true };
    out.push(item);
  }
  return { items: out, truncated: false };
}

/**
 * `GET /stores/:store/keys/:key` (window stores: `?at=` one window, or `?from=&to=`; session stores:
 * `?from=&to=` as findSessions), answered here or forwarded to the instance that hosts the key.
 * Lists of windows or sessions hold at most `limit` (default and most: MAX_ENTRIES) and say
 * `truncated: true` when there were more.
 */
export async function keyQuery(
  d: StoreRouteDeps,
  store: string,
  keyText: string,
  q: URLSearchParams,
  pathAndQuery: string,
  forwarded: boolean,
): Promise<Answer> {
  const located = d.queries.locate(store);
  const key = parseKeyText(keyText, located.definition.keySerde as never);
  const meta = d.queries.metadataForKey(store, key);
  if (!meta.local) {
    if (forwarded || !meta.activeHost || meta.activeHost === d.self)
      throw new TributaryError(
        'KEY_NOT_HOSTED',
        `task ${meta.taskId} (partition ${meta.partition}) is not hosted here${meta.activeHost ? '' : ' and no instance is known to host it yet'}`,
      );
    return forward(d, meta.activeHost, pathAndQuery);
  }
  return { status: 200, body: await localKeyAnswer(d, located, key, q) };
}

async function localKeyAnswer(d: StoreRouteDeps, located: LocatedStore, key: unknown, q: URLSearchParams) {
  const { name, kind, windowSizeMs } = located.definition;
  if (kind === 'key-value') {
    const value = d.queries.store(name, 'key-value').get(key);
    if (value === undefined) throw new NotFound(`store '${name}' has no value for this key`);
    return { store: name, key, value };
  }
  if (kind === 'window') {
    const ws = d.queries.store(name, 'window');
    if (q.has('at')) {
      const start = num(q, 'at', 0);
      const value = ws.fetch(key, start);
      if (value === undefined) throw new NotFound(`store '${name}' has no window at ${start} for this key`);
      return { store: name, key, windows: [{ start, end: start + (windowSizeMs ?? 0), value }] };
    }
    const from = num(q, 'from', 0);
    const to = num(q, 'to', Number.MAX_SAFE_INTEGER);
    const { items, truncated } = await take(ws.fetch(key, from, to), limitOf(q, MAX_ENTRIES));
    return {
      store: name,
      key,
      windows: items.map((w) => ({
        start: w.windowStart,
        end: w.windowStart + (windowSizeMs ?? 0),
        value: w.value,
      })),
      truncated,
    };
  }
  const ss = d.queries.store(name, 'session');
  const sessions =
    q.has('from') || q.has('to')
      ? ss.findSessions(key, num(q, 'from', 0), num(q, 'to', Number.MAX_SAFE_INTEGER))
      : ss.fetch(key);
  const { items, truncated } = await take(sessions, limitOf(q, MAX_ENTRIES));
  return {
    store: name,
    key,
    sessions: items.map((s) => ({ start: s.start, end: s.end, value: s.value })),
    truncated,
  };
}

/**
 * `GET /stores/:store/all` and `/stores/:store/range?from=&to=` (key-value; window stores take
 * `from`/`to` as window starts): this instance's entries, plus every other live instance's unless
 * `local=true` or the request was forwarded (a forwarded scan fans out never again, whatever its
 * query string says). An instance that fails makes the whole answer a retryable error, never a
 * partial one.
 */
export async function scanQuery(
  d: StoreRouteDeps,
  store: string,
  mode: 'all' | 'range',
  url: URL,
  forwarded: boolean,
): Promise<Answer> {
  const q = url.searchParams;
  const located = d.queries.locate(store);
  const { kind, keySerde, windowSizeMs } = located.definition;
  const limit = limitOf(q, DEFAULT_LIMIT);
  let page: { items: unknown[]; truncated: boolean };
  if (kind === 'key-value') {
    const kv = d.queries.store(store, 'key-value');
    if (mode === 'range') {
      const from = q.get('from');
      const to = q.get('to');
      if (from === null || to === null)
        throw new TributaryError('QUERY_INVALID', 'range needs from and to keys');
      page = await take(
        kv.range(parseKeyText(from, keySerde as never), parseKeyText(to, keySerde as never)),
        limit,
      );
    } else page = await take(kv.all(), limit);
  } else if (kind === 'window') {
    const ws = d.queries.store(store, 'window');
    const scan = ws.fetchAll(num(q, 'from', 0), num(q, 'to', Number.MAX_SAFE_INTEGER));
    const windows = await take(scan, limit);
    page = {
      items: windows.items.map((w) => ({
        key: w.key,
        start: w.windowStart,
        end: w.windowStart + (windowSizeMs ?? 0),
        value: w.value,
      })),
      truncated: windows.truncated,
    };
  } else throw new TributaryError('QUERY_INVALID', `session store '${store}' is queried by key only`);
  const entries = [...page.items];
  let truncated = page.truncated;
  if (!forwarded && q.get('local') !== 'true') {
    const local = new URL(url);
    local.searchParams.set('local', 'true');
    const others = d.instances().filter((i) => i.applicationServer !== d.self);
    const answers = await Promise.all(
      others.map((i) => forward(d, i.applicationServer, `${local.pathname}${local.search}`)),
    );
    for (const a of answers) {
      if (a.status !== 200) return a;
      const body = JSON.parse(a.raw ?? '{}') as { entries?: unknown[]; truncated?: boolean };
      entries.push(...(body.entries ?? []));
      truncated ||= body.truncated === true;
    }
  }
  return {
    status: 200,
    body: { store, entries: entries.slice(0, limit), truncated: truncated || entries.length > limit },
  };
}

async function forward(d: StoreRouteDeps, host: string, pathAndQuery: string): Promise<Answer> {
  try {
    const r = await forwardGet(host, pathAndQuery, {
      timeoutMs: d.forwardTimeoutMs,
      token: d.token,
      from: d.self,
    });
    return { status: r.status, body: undefined, raw: r.body, servedBy: r.servedBy ?? host };
  } catch (err) {
    if (!(err instanceof ForwardError)) throw err;
    return {
      status: err.code === 'FORWARD_TIMEOUT' ? 504 : 502,
      body: { error: { code: err.code, message: err.message, retryable: true } },
    };
  }
}

/** A query that found nothing: 404 with a JSON body. */
export class NotFound extends Error {}
