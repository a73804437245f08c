import { request } from 'node:http';

/** Marks a forwarded query, so the instance that gets it answers locally or fails, never forwards again. */
export const FORWARDED_HEADER = 'x-tributary-forwarded';
/** Names the instance that answered. */
export const SERVED_BY_HEADER = 'x-tributary-served-by';

/** Largest answer accepted from another instance. */
const MAX_FORWARDED_BYTES = 16 * 1024 * 1024;

export interface ForwardResult {
  readonly status: number;
  readonly body: string;
  readonly servedBy: string | undefined;
}

export class ForwardError extends Error {
  constructor(
    readonly code: 'FORWARD_TIMEOUT' | 'FORWARD_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** GETs `path` from the instance at `hostPort`; rejects with a ForwardError on timeout or failure. */
export function forwardGet(
  hostPort: string,
  path: string,
  opts: { timeoutMs: number; token: string | undefined; from: string | undefined },
): Promise<ForwardResult> {
  const match = /^(.*):(\d+)$/.exec(hostPort);
  if (!match) return Promise.reject(new ForwardError('FORWARD_FAILED', `bad instance address ${hostPort}`));
  const host = (match[1] as string).replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { [FORWARDED_HEADER]: opts.from ?? 'unknown' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = request({ host, port: Number(match[2]), path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_FORWARDED_BYTES) req.destroy(new Error('answer too large'));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const servedBy = res.headers[SERVED_BY_HEADER];
        resolve({
          status: res.statusCode ?? 502,
          body: Buffer.concat(chunks).toString('utf8'),
          servedBy: typeof servedBy === 'string' ? servedBy : undefined,
        });
      });
      res.on('error', () => {});
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(
        new ForwardError(
          'FORWARD_TIMEOUT',
          `instance ${hostPort} did not answer within ${opts.timeoutMs} ms`,
        ),
      );
    }, opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new ForwardError('FORWARD_FAILED', `instance ${hostPort} is unreachable (${err.message})`));
    });
    req.end();
  });
}
