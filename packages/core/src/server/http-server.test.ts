import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { StoreQueries } from '../query/local-stores.js';
import { producerPartition, type QueryFixture, queryFixture } from '../query/query-fixture.js';
import type { InstanceInfo } from '../query/read-only-stores.js';
import { HttpServer, type ServerDeps } from './http-server.js';

const PARTITIONS = 4;
const keys = Array.from({ length: 60 }, (_, i) => `campaign ${i}/x`);

const partitionOf = (key: string) => producerPartition(key, PARTITIONS);

interface Instance {
  readonly fixture: QueryFixture;
  readonly server: HttpServer;
  address: string;
  peers: InstanceInfo[];
  deps: ServerDeps;
}

const open: HttpServer[] = [];
const tcp: TcpServer[] = [];

async function instance(hosted: number[], overrides: Partial<ServerDeps> = {}): Promise<Instance> {
  const fixture = queryFixture({ partitions: PARTITIONS, hosted });
  const inst = { fixture, address: '', peers: [] as InstanceInfo[] } as Instance;
  inst.deps = {
    queries: new StoreQueries({ ...fixture.host, localServer: () => inst.address }),
    instances: () => inst.peers,
    get self() {
      return inst.address;
    },
    token: undefined,
    forwardTimeoutMs: 500,
    requestTimeoutMs: 2000,
    metrics: async () => '# no metrics in this test\n',
    live: () => ({ live: true, state: fixture.state }),
    ready: () => ({ ready: fixture.state === 'running', state: fixture.state }),
    topology: () => ({ text: 'text', mermaid: 'flowchart' }),
    status: () => ({ ok: true }),
    logger: silentLogger,
    ...overrides,
  };
  const server = new HttpServer(inst.deps);
  (inst as { server: HttpServer }).server = server;
  open.push(server);
  const a = await server.listen(0, '127.0.0.1');
  inst.address = `127.0.0.1:${a.port}`;
  return inst;
}

/** A and B split the partitions; each knows where the other's are. Values are the ground truth. */
async function pair() {
  const a = await instance([0, 1]);
  const b = await instance([2, 3]);
  const truth = new Map<string, number>();
  keys.forEach((key, i) => {
    const p = partitionOf(key);
    (a.fixture.tasks.get(p) ?? b.fixture.tasks.get(p))?.counts.put(key, i * 10);
    truth.set(key, i * 10);
  });
  for (const p of [0, 1]) b.fixture.owners.set(p, a.address);
  for (const p of [2, 3]) a.fixture.owners.set(p, b.address);
  const info = (i: Instance, tasks: string[]): InstanceInfo => ({
    applicationServer: i.address,
    state: 'running',
    tasks,
    restoring: [],
    at: Date.now(),
  });
  a.peers = b.peers = [info(a, ['0_0', '0_1']), info(b, ['0_2', '0_3'])];
  return { a, b, truth };
}

async function get(i: Instance, path: string, init: RequestInit = {}) {
  const res = await fetch(`http://${i.address}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    json: json as Record<string, unknown>,
    text,
    servedBy: res.headers.get('x-tributary-served-by'),
  };
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const s of tcp.splice(0)) s.close();
});

describe('HTTP queries: answered locally or forwarded to the owner', () => {
  it('every key through either instance returns the value the owning store holds', async () => {
    const { a, b, truth } = await pair();
    for (const via of [a, b]) {
      for (const key of keys) {
        const r = await get(via, `/stores/counts/keys/${encodeURIComponent(key)}`);
        expect(r.status).toBe(200);
        expect(r.json).toEqual({ store: 'counts', key, value: truth.get(key) });
        expect(r.servedBy).toBe(partitionOf(key) < 2 ? a.address : b.address);
      }
    }
    const all = await get(a, '/stores/counts/all?limit=10000');
    const entries = (all.json.entries as { key: string; value: number }[]).map((e) => [e.key, e.value]);
    expect(entries.sort()).toEqual([...truth].sort());
  });

  it('a scan fans out once: a forwarded scan is answered locally, whatever its query string says', async () => {
    const { a, b, truth } = await pair();
    const fanOuts = new Map<Instance, number>();
    for (const i of [a, b]) {
      const peers = i.deps.instances.bind(i.deps);
      (i.deps as { instances: () => readonly InstanceInfo[] }).instances = () => {
        fanOuts.set(i, (fanOuts.get(i) ?? 0) + 1);
        return peers();
      };
    }
    // `local=false` must not undo the `local=true` the forwarding instance adds.
    const all = await get(a, '/stores/counts/all?local=false&limit=10000');
    expect(all.status).toBe(200);
    const entries = (all.json.entries as { key: string; value: number }[]).map((e) => [e.key, e.value]);
    expect(entries.sort()).toEqual([...truth].sort());
    expect([fanOuts.get(a), fanOuts.get(b)]).toEqual([1, undefined]);
    // A request marked as forwarded is answered from B's own tasks only.
    const forwarded = await get(b, '/stores/counts/all?local=false&limit=10000', {
      headers: { 'x-tributary-forwarded': a.address },
    });
    const own = keys.filter((k) => partitionOf(k) >= 2).map((k) => [k, truth.get(k)]);
    const got = (forwarded.json.entries as { key: string; value: number }[]).map((e) => [e.key, e.value]);
    expect(got.sort()).toEqual(own.sort());
    expect(fanOuts.get(b)).toBeUndefined();
  });

  it('a down or silent owner gives 502/504 with a JSON body, in bounded time', async () => {
    const { a, b } = await pair();
    const remoteKey = keys.find((k) => partitionOf(k) >= 2) as string;
    await b.server.close();
    const down = await get(a, `/stores/counts/keys/${encodeURIComponent(remoteKey)}`);
    expect(down.status).toBe(502);
    expect((down.json.error as { code: string }).code).toBe('FORWARD_FAILED');
    // A host that accepts the connection and never answers.
    const silent = createTcpServer(() => {});
    tcp.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    for (const p of [2, 3]) a.fixture.owners.set(p, `127.0.0.1:${port}`);
    const started = Date.now();
    const slow = await get(a, `/stores/counts/keys/${encodeURIComponent(remoteKey)}`);
    expect(slow.status).toBe(504);
    expect((slow.json.error as { retryable: boolean }).retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a forwarded query is never forwarded again; restoring and rebalancing are retryable 503s', async () => {
    const { a } = await pair();
    const remoteKey = keys.find((k) => partitionOf(k) >= 2) as string;
    const loop = await get(a, `/stores/counts/keys/${encodeURIComponent(remoteKey)}`, {
      headers: { 'x-tributary-forwarded': 'someone' },
    });
    expect(loop.status).toBe(503);
    expect((loop.json.error as { code: string }).code).toBe('KEY_NOT_HOSTED');
    a.fixture.state = 'rebalancing';
    const localKey = keys.find((k) => partitionOf(k) < 2) as string;
    const r = await get(a, `/stores/counts/keys/${encodeURIComponent(localKey)}`);
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
  });

  it('window stores: one window or a range of window starts', async () => {
    const a = await instance([0, 1, 2, 3]);
    const key = 'k';
    const ws = a.fixture.tasks.get(partitionOf(key))?.perMinute;
    ws?.put(key, 4, 0);
    ws?.put(key, 9, 60_000);
    const range = await get(a, '/stores/per-minute/keys/k?from=0&to=60000');
    expect(range.json.windows).toEqual([
      { start: 0, end: 60_000, value: 4 },
      { start: 60_000, end: 120_000, value: 9 },
    ]);
    expect(range.json.truncated).toBe(false);
    // More windows than `limit`: the answer says it was cut.
    const cut = await get(a, '/stores/per-minute/keys/k?from=0&to=60000&limit=1');
    expect(cut.json).toEqual({
      store: 'per-minute',
      key,
      windows: [{ start: 0, end: 60_000, value: 4 }],
      truncated: true,
    });
    expect((await get(a, '/stores/per-minute/keys/k?limit=0')).status).toBe(400);
    expect((await get(a, '/stores/per-minute/keys/k?at=60000')).json.windows).toEqual([
      { start: 60_000, end: 120_000, value: 9 },
    ]);
    expect((await get(a, '/stores/per-minute/keys/k?at=5')).status).toBe(404);
    expect((await get(a, '/stores/per-minute/keys/k?from=abc')).status).toBe(400);
  });
});

describe('HTTP server: bad input and protection', () => {
  it('unknown store, wrong method, bodies and malformed paths get JSON errors', async () => {
    const a = await instance([0, 1, 2, 3]);
    const unknown = await get(a, '/stores/nope/keys/x');
    expect(unknown.status).toBe(404);
    expect((unknown.json.error as { code: string }).code).toBe('STORE_NOT_FOUND');
    expect((await get(a, '/stores/counts/keys/missing')).status).toBe(404);
    expect((await get(a, '/stores/counts/keys/%E0%A4%A')).status).toBe(400);
    expect((await get(a, '/stores/counts/keys/x', { method: 'POST', body: 'x' })).status).toBe(413);
    expect((await get(a, '/stores/counts/keys/x', { method: 'DELETE' })).status).toBe(405);
    expect((await get(a, `/stores/counts/keys/${'x'.repeat(5000)}`)).status).toBe(414);
    expect((await get(a, '/nothing-here')).status).toBe(404);
    expect((await get(a, '/topology')).text).toBe('text');
    expect((await get(a, '/topology?format=mermaid')).text).toBe('flowchart');
    const meta = await get(a, '/stores/counts/keys/k/metadata');
    expect(meta.json).toEqual({
      store: 'counts',
      partition: partitionOf('k'),
      taskId: `0_${partitionOf('k')}`,
      activeHost: a.address,
      local: true,
    });
  });

  it('an internal error is a bare 500: no message, no stack trace', async () => {
    const a = await instance([0], {
      status: () => {
        throw new Error('secret detail');
      },
    });
    const r = await get(a, '/status.json');
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('secret');
    expect(r.text).not.toMatch(/\bat \w/);
  });

  it('a bearer token protects every route but health', async () => {
    const a = await instance([0], { token: 's3cret' });
    expect((await get(a, '/metrics')).status).toBe(401);
    expect((await get(a, '/stores/counts/keys/x')).status).toBe(401);
    expect((await get(a, '/metrics', { headers: { authorization: 'Bearer wrong!' } })).status).toBe(401);
    expect((await get(a, '/metrics', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await get(a, '/health/live')).status).toBe(200);
    a.fixture.state = 'rebalancing';
    expect((await get(a, '/health/ready')).status).toBe(503);
  });
});
