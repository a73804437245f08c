import { describe, expect, it } from 'vitest';
import type { TaskManager } from './internal/runtime/task-manager.js';
import type { NewTopic } from './kafka/ports.js';
import { silentLogger } from './logger.js';
import { Operations, type OperationsHost } from './operations.js';
import { queryTopology } from './query/query-fixture.js';
import { loopbackPort } from './server/loopback-port.js';

function host(overrides: Partial<OperationsHost> = {}): OperationsHost {
  return {
    applicationId: 'ops-app',
    topology: queryTopology(),
    applicationServer: 'host-a:1',
    server: undefined,
    replicationFactor: 1,
    logger: silentLogger,
    clock: { now: () => 0 },
    state: () => 'running',
    tasks: () => undefined,
    taskCount: () => 1,
    globalStore: () => undefined,
    counters: () => ({}),
    ...overrides,
  };
}

describe('Operations', () => {
  it('the instances topic is one of the internal topics, created with them; start() creates none', async () => {
    const ops = new Operations(host());
    expect(ops.internalTopics()).toEqual([
      expect.objectContaining({
        name: 'ops-app-instances',
        configs: expect.objectContaining({ 'cleanup.policy': 'compact' }),
      }),
    ]);
    const created: NewTopic[] = [];
    await ops.start(loopbackPort(created));
    await ops.stop();
    expect(created).toEqual([]);
  });

  it('keeps the runtime-reported skips and dead letters, newest first, stamped by the app clock', () => {
    let now = 1_000;
    const ops = new Operations(host({ clock: { now: () => now } }));
    for (let i = 0; i < 25; i++) {
      now += 10;
      ops.onRecordFailed({
        stage: i % 2 ? 'processing' : 'deserialization',
        action: i % 2 ? 'skipped' : 'dead-lettered',
        taskId: '0_0',
        topic: 'in',
        partition: 0,
        offset: BigInt(i),
        error: `bad ${i}`,
      });
    }
    expect(ops.recentDeadLetters).toHaveLength(20);
    expect(ops.recentDeadLetters[0]).toEqual({
      at: 1_250,
      stage: 'deserialization',
      action: 'dead-lettered',
      topic: 'in',
      partition: 0,
      offset: '24',
      error: 'bad 24',
    });
    expect(ops.recentDeadLetters.at(-1)?.offset).toBe('5');
  });

  it('ready names the tasks the task manager reports as restoring', () => {
    const tasks = { restoringTaskIds: () => ['0_2', '1_0'], lags: () => [] } as unknown as TaskManager;
    const ops = new Operations(host({ tasks: () => tasks }));
    expect(ops.ready()).toEqual({ ready: false, state: 'running', reason: 'restoring 0_2, 1_0' });
  });
});
