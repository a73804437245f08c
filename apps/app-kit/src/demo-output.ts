import { kafkajsPort, silentLogger } from '@tributary/core';

/** Records of `topics` not yet committed by the consumer group: how a demo knows its app caught up. */
export async function committedLag(
  bootstrapServers: string,
  groupId: string,
  topics: readonly string[],
): Promise<bigint> {
  const admin = kafkajsPort({ bootstrapServers, logger: silentLogger }).admin();
  await admin.connect();
  try {
    const committed = await admin.committedOffsets(groupId, [...topics]);
    let lag = 0n;
    for (const topic of topics)
      for (const [p, end] of await admin.endOffsets(topic))
        lag += end - (committed.get(`${topic}:${p}`) ?? 0n);
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** A plain text table of `cols` (header, dashes, one line per row), columns padded to their widest cell. */
export function formatTable(rows: readonly Record<string, unknown>[], cols: readonly string[]): string[] {
  const cell = (r: Record<string, unknown>, c: string) => String(r[c] ?? '');
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [
    line([...cols]),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r, c)))),
  ];
}
