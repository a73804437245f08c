import { hostname } from 'node:os';
import type { Topology } from './internal/graph/topology.js';
import { RuntimeStats } from './internal/runtime/runtime-stats.js';
import type { StreamsState } from './internal/runtime/state-machine.js';
import type { TaskManager } from './internal/runtime/task-manager.js';
import type { KafkaPort, NewTopic } from './kafka/ports.js';
import type { LogFields, Logger, LogLevel } from './logger.js';
import { InstanceDirectory, instancesTopic } from './query/instance-directory.js';
import { type QueryHost, StoreQueries } from './query/local-stores.js';
import type { InstanceInfo } from './query/read-only-stores.js';
import { HttpServer } from './server/http-server.js';
import { createMetricsRegistry } from './server/metrics.js';
import type { StateStore } from './state/store.js';
import type { ServerConfig } from './tributary-config.js';

/** What the operations layer reads from the app. */
export interface OperationsHost {
  readonly applicationId: string;
  readonly topology: Topology;
  readonly applicationServer: string | undefined;
  readonly server: ServerConfig | undefined;
  readonly replicationFactor: number;
  readonly logger: Logger;
  state(): StreamsState;
  tasks(): TaskManager | undefined;
  taskCount(subtopologyId: number): number | undefined;
  globalStore(name: string): StateStore | undefined;
  /** Tributary#metrics(). */
  counters(): Record<string, number>;
}

export interface DeadLetterEvent {
  readonly at: number;
  readonly stage: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly error: string;
}

const RECENT_DEAD_LETTERS = 20;
const DEFAULT_READY_MAX_LAG = 10_000;

/**
 * Interactive queries, the instances topic, metrics and the HTTP server: everything an operator
 * talks to, kept out of the processing path (nothing here runs per record).
 */
export class Operations {
  readonly stats = new RuntimeStats();
  readonly queries: StoreQueries;
  readonly recentDeadLetters: DeadLetterEvent[] = [];
  private directory: InstanceDirectory | undefined;
  private server: HttpServer | undefined;
  private self: string | undefined;

  constructor(private readonly host: OperationsHost) {
    this.self = host.applicationServer;
    const queryHost: QueryHost = {
      applicationId: host.applicationId,
      topology: host.topology,
      state: () => host.state(),
      tasks: () => host.tasks(),
      taskCount: (id) => host.taskCount(id),
      globalStore: (name) => host.globalStore(name),
      ownerOf: (taskId) => this.directory?.ownerOf(taskId),
      localServer: () => this.self,
    };
    this.queries = new StoreQueries(queryHost);
  }

  /** True when instances advertise themselves (an application server or the HTTP server is set). */
  get enabled(): boolean {
    return this.host.applicationServer !== undefined || this.host.server !== undefined;
  }

  /** The `host:port` this instance advertises, once the server listens. */
  get applicationServer(): string | undefined {
    return this.self;
  }

  internalTopics(): NewTopic[] {
    return this.enabled ? [instancesTopic(this.host.applicationId, this.host.replicationFactor)] : [];
  }

  /** Starts the HTTP server (if configured), then the heartbeats on `<applicationId>-instances`. */
  async start(port: KafkaPort): Promise<void> {
    if (!this.enabled) return;
    const cfg = this.host.server;
    if (cfg) {
      const token = cfg.token ?? process.env.TRIBUTARY_HTTP_TOKEN ?? undefined;
      let instanceLabel = this.self ?? `${hostname()}:${process.pid}`;
      const registry = createMetricsRegistry({
        applicationId: this.host.applicationId,
        get instance() {
          return instanceLabel;
        },
        state: () => this.host.state(),
        counters: () => this.host.counters(),
        stats: this.stats,
        lags: () => this.host.tasks()?.lags() ?? [],
      });
      this.server = new HttpServer({
        queries: this.queries,
        instances: () => this.instances(),
        get self() {
          return instanceLabel;
        },
        token: token === '' ? undefined : token,
        forwardTimeoutMs: cfg.forwardTimeoutMs ?? 2000,
        requestTimeoutMs: cfg.requestTimeoutMs ?? 5000,
        registry,
        live: () => ({ live: this.host.state() !== 'error', state: this.host.state() }),
        ready: () => this.ready(),
        topology: () => {
          const d = this.host.topology.describe();
          return { text: d.toString(), mermaid: d.toMermaid() };
        },
        status: () => this.status(),
        logger: this.host.logger,
      });
      const host = cfg.host ?? '127.0.0.1';
      const address = await this.server.listen(cfg.port, host);
      const advertisedHost = host === '0.0.0.0' || host === '::' ? hostname() : host;
      this.self ??= `${advertisedHost.includes(':') ? `[${advertisedHost}]` : advertisedHost}:${address.port}`;
      instanceLabel = this.self;
      registry.setDefaultLabels({ application: this.host.applicationId, instance: this.self });
      this.host.logger.info('http server listening', {
        address: `${host}:${address.port}`,
        advertised: this.self,
      });
    }
    this.directory = new InstanceDirectory(
      this.host.applicationId,
      this.self,
      () => this.describeSelf(),
      this.host.logger,
    );
    const admin = port.admin();
    await admin.connect();
    try {
      await this.directory.start(
        port,
        admin,
        this.host.replicationFactor,
        `${this.host.applicationId}-instances`,
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Tasks or state changed: tell the other instances now rather than at the next heartbeat. */
  changed(): void {
    void this.directory?.publish();
  }

  instances(): InstanceInfo[] {
    return this.directory?.all() ?? [];
  }

  async stop(): Promise<void> {
    await this.directory?.stop();
    await this.server?.close();
  }

  /** Wraps the app's logger to keep the last dead-letter and skip reasons for the status page. */
  tap(logger: Logger): Logger {
    const keep = (msg: string, f: LogFields | undefined) => {
      if (msg !== 'record sent to dead-letter topic' && msg !== 'record skipped') return;
      this.recentDeadLetters.unshift({
        at: Date.now(),
        stage: String(f?.stage ?? ''),
        topic: String(f?.topic ?? ''),
        partition: Number(f?.partition ?? -1),
        offset: String(f?.offset ?? ''),
        error: String(f?.error ?? '').slice(0, 300),
      });
      this.recentDeadLetters.length = Math.min(this.recentDeadLetters.length, RECENT_DEAD_LETTERS);
    };
    const wrap = (inner: Logger): Logger => ({
      debug: (m, f) => {
        keep(m, f);
        inner.debug(m, f);
      },
      info: (m, f) => inner.info(m, f),
      warn: (m, f) => {
        keep(m, f);
        inner.warn(m, f);
      },
      error: (m, f) => inner.error(m, f),
      child: (fields) => wrap(inner.child(fields)),
      ...(inner.enabled ? { enabled: (level: LogLevel) => inner.enabled?.(level) ?? true } : {}),
    });
    return wrap(logger);
  }

  /** Ready: running, no assigned task still restoring, and total input lag within the limit. */
  ready(): { ready: boolean; state: string; reason?: string } {
    const state = this.host.state();
    if (state !== 'running') return { ready: false, state, reason: `state is ${state}` };
    const tasks = this.host.tasks();
    const restoring = [...(tasks?.assignedTaskIds() ?? [])].filter((t) => !tasks?.tasks.has(t));
    if (restoring.length > 0) return { ready: false, state, reason: `restoring ${restoring.join(', ')}` };
    const lag = (tasks?.lags() ?? []).reduce((n, l) => n + l.lag, 0);
    const max = this.host.server?.readyMaxLag ?? DEFAULT_READY_MAX_LAG;
    if (lag > max) return { ready: false, state, reason: `input lag ${lag} > ${max}` };
    return { ready: true, state };
  }

  private describeSelf(): Omit<InstanceInfo, 'applicationServer' | 'at'> {
    const tasks = this.host.tasks();
    const running = [...(tasks?.tasks.keys() ?? [])].sort();
    const restoring = [...(tasks?.assignedTaskIds() ?? [])].filter((t) => !tasks?.tasks.has(t)).sort();
    return { state: this.host.state(), tasks: running, restoring };
  }

  private status() {
    const c = this.host.counters();
    const lags = this.host.tasks()?.lags() ?? [];
    const instances = this.instances();
    return {
      applicationId: this.host.applicationId,
      instance: this.self ?? '',
      state: this.host.state(),
      ready: this.ready(),
      processRate: this.stats.process.rate(),
      processedTotal: c.processed ?? 0,
      commitRate: this.stats.commit.rate(),
      lagTotal: lags.reduce((n, l) => n + l.lag, 0),
      instances:
        instances.length > 0 ? instances : [{ applicationServer: this.self ?? '', ...this.describeSelf() }],
      partitions: lags
        .map((l) => ({ topic: l.topic, partition: l.partition, task: l.taskId, lag: l.lag }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      errors: {
        deserialization: c.deserializationErrors ?? 0,
        processing: c.processingErrors ?? 0,
        production: c.productionErrors ?? 0,
        'dead-lettered': c.deadLettered ?? 0,
        skipped: c.skipped ?? 0,
      },
      recentDeadLetters: this.recentDeadLetters,
      topology: this.host.topology.describe().toString(),
    };
  }
}
