import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, isTributaryError, TributaryError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseKeyText, toJson } from '../query/key-text.js';
import { FORWARDED_HEADER, SERVED_BY_HEADER } from './forward.js';
import { STATUS_PAGE_HTML } from './status-page.js';
import { type Answer, keyQuery, NotFound, type StoreRouteDeps, scanQuery } from './store-routes.js';

export interface ServerDeps extends StoreRouteDeps {
  /** Prometheus text of the app's metrics. */
  metrics(): Promise<string>;
  /** Live: the process is up and the app has not failed. */
  live(): { live: boolean; state: string };
  /** Ready: running, nothing restoring, and input lag within the limit. */
  ready(): { ready: boolean; state: string; reason?: string };
  topology(): { text: string; mermaid: string };
  /** The status page's data. */
  status(): unknown;
  readonly logger: Logger;
  readonly requestTimeoutMs: number;
}

/** Longest request line accepted (path and query). */
const MAX_URL_LENGTH = 4096;

/** Query errors by code; the 503s are the retryable ones (a rebalance or restore in progress). */
const STATUS_BY_CODE: Record<string, number> = {
  STORE_NOT_FOUND: 404,
  STORE_WRONG_TYPE: 400,
  QUERY_INVALID: 400,
  STORE_UNAVAILABLE: 503,
  KEY_NOT_HOSTED: 503,
};

function errorAnswer(status: number, code: string, message: string): Answer {
  return {
    status,
    body: { error: { code, message, retryable: status === 503 || status === 502 || status === 504 } },
  };
}

/** Maps any failure to a JSON error; unknown errors become a bare 500 (logged, never sent). */
function answerForError(err: unknown, logger: Logger): Answer {
  if (err instanceof NotFound) return errorAnswer(404, 'KEY_NOT_FOUND', err.message);
  const status = isTributaryError(err) ? STATUS_BY_CODE[err.code] : undefined;
  if (status !== undefined) return errorAnswer(status, (err as TributaryError).code, (err as Error).message);
  logger.error('http request failed', { error: errorMessage(err) });
  return errorAnswer(500, 'INTERNAL', 'internal error (see the instance log)');
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Routes one request to its answer. */
async function route(
  d: ServerDeps,
  method: string,
  url: URL,
  headers: IncomingMessage['headers'],
): Promise<Answer> {
  const path = url.pathname;
  if (method !== 'GET' && method !== 'HEAD')
    return errorAnswer(405, 'METHOD_NOT_ALLOWED', 'only GET is served');
  if (path === '/health/live') {
    const l = d.live();
    return { status: l.live ? 200 : 503, body: l };
  }
  if (path === '/health/ready') {
    const r = d.ready();
    return { status: r.ready ? 200 : 503, body: r };
  }
  // The status page may carry the token in its URL (a browser cannot set the header on navigation).
  const pageToken = path === '/' ? url.searchParams.get('token') : null;
  const authorization = pageToken !== null ? `Bearer ${pageToken}` : headers.authorization;
  if (d.token && !tokenMatches(authorization, d.token))
    return errorAnswer(401, 'UNAUTHORIZED', 'a bearer token is required (Authorization: Bearer <token>)');
  if (path === '/') return { status: 200, body: undefined, raw: STATUS_PAGE_HTML };
  if (path === '/status.json') return { status: 200, body: d.status() };
  if (path === '/metrics') return { status: 200, body: undefined, raw: await d.metrics() };
  if (path === '/topology') {
    const t = d.topology();
    return {
      status: 200,
      body: undefined,
      raw: url.searchParams.get('format') === 'mermaid' ? t.mermaid : t.text,
    };
  }
  if (path === '/instances') return { status: 200, body: { instances: d.instances() } };
  const m = /^\/stores\/([^/]+)\/(?:keys\/([^/]+)(\/metadata)?|(all|range))$/.exec(path);
  if (!m) return errorAnswer(404, 'NOT_FOUND', `no route ${path}`);
  const store = decode(m[1] as string);
  const pathAndQuery = `${url.pathname}${url.search}`;
  const forwarded = headers[FORWARDED_HEADER] !== undefined;
  if (m[4]) return scanQuery(d, store, m[4] as 'all' | 'range', url, forwarded);
  const keyText = decode(m[2] as string);
  if (m[3]) {
    const located = d.queries.locate(store);
    return {
      status: 200,
      body: d.queries.metadataForKey(store, parseKeyText(keyText, located.definition.keySerde as never)),
    };
  }
  return keyQuery(d, store, keyText, url.searchParams, pathAndQuery, forwarded);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TributaryError('QUERY_INVALID', 'malformed percent-encoding in the path');
  }
}

function contentType(path: string, a: Answer): string {
  if (a.raw === undefined || a.body !== undefined) return 'application/json';
  if (path === '/') return 'text/html; charset=utf-8';
  if (path === '/metrics') return 'text/plain; version=0.0.4; charset=utf-8';
  if (a.servedBy !== undefined) return 'application/json';
  return 'text/plain; charset=utf-8';
}

function write(res: ServerResponse, path: string, a: Answer, self: string | undefined, head: boolean): void {
  if (res.headersSent) return;
  const body = a.body !== undefined ? toJson(a.body) : (a.raw ?? '');
  const headers: Record<string, string> = {
    'content-type': contentType(path, a),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  const servedBy = a.servedBy ?? self;
  if (servedBy) headers[SERVED_BY_HEADER] = servedBy;
  if (a.status === 503) headers['retry-after'] = '1';
  res.writeHead(a.status, headers);
  res.end(head ? undefined : body);
}

/** The query, metrics, health and status server (node:http). */
export class HttpServer {
  private server: Server | undefined;

  constructor(private readonly d: ServerDeps) {}

  async listen(port: number, host: string): Promise<AddressInfo> {
    const server = createServer(
      { maxHeaderSize: 16 * 1024, requestTimeout: this.d.requestTimeoutMs },
      (req, res) => void this.handle(req, res),
    );
    server.headersTimeout = Math.min(this.d.requestTimeoutMs, 10_000);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const self = this.d.self;
    const head = req.method === 'HEAD';
    // GET only: a request body is refused unread, and so is an oversized URL.
    if ((req.url ?? '').length > MAX_URL_LENGTH)
      return write(res, path, errorAnswer(414, 'URI_TOO_LONG', 'the URL is too long'), self, head);
    if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined) {
      res.setHeader('connection', 'close');
      return write(res, path, errorAnswer(413, 'BODY_NOT_ACCEPTED', 'requests carry no body'), self, head);
    }
    const timer = setTimeout(
      () =>
        write(
          res,
          path,
          errorAnswer(503, 'TIMEOUT', `no answer within ${this.d.requestTimeoutMs} ms`),
          self,
          head,
        ),
      this.d.requestTimeoutMs,
    );
    let answer: Answer;
    try {
      answer = await route(
        this.d,
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://localhost'),
        req.headers,
      );
    } catch (err) {
      answer = answerForError(err, this.d.logger);
    } finally {
      clearTimeout(timer);
    }
    write(res, path, answer, self, head);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
