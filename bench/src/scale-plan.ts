/**
 * The points of the scale curves (scale.ts): which runs to make, in an order that generates and
 * checks each data set once. Pure, so the plan can be tested without a broker.
 */
import { type Curve, counts, dataSets, type parseScaleCli } from './cli.js';
import { DEFAULT_CAMPAIGNS } from './common.js';

export interface Point {
  records: number;
  campaigns: number;
  instances: number;
  /** The curves this run is a point of (one run can be a point of several). */
  curves: Curve[];
  /** Keep the run's changelogs and time a fresh instance restoring them. */
  restore: boolean;
}

export function scalePlan(v: ReturnType<typeof parseScaleCli>['values']): Point[] {
  const points: Point[] = [];
  const add = (records: number, campaigns: number, instances: number, curve: Curve) => {
    const same = points.find(
      (p) => p.records === records && p.campaigns === campaigns && p.instances === instances,
    );
    if (same) {
      if (curve === 'restore') same.restore = true;
      else if (!same.curves.includes(curve)) same.curves.push(curve);
      return;
    }
    points.push({
      records,
      campaigns,
      instances,
      curves: curve === 'restore' ? [] : [curve],
      restore: curve === 'restore',
    });
  };
  const on = (c: Curve) => v.curves.includes(c);
  if (on('input')) for (const r of counts(v.sizes, 'sizes')) add(r, DEFAULT_CAMPAIGNS, 1, 'input');
  if (on('windows'))
    for (const d of dataSets(v.windows, 'windows')) add(d.records, d.campaigns, 1, 'windows');
  if (on('instances'))
    for (const n of counts(v.instances, 'instances'))
      add(v['instance-records'], DEFAULT_CAMPAIGNS, n, 'instances');
  if (on('restore'))
    for (const d of dataSets(v.restore, 'restore')) add(d.records, d.campaigns, 1, 'restore');
  // Group by data set (first appearance), so each is generated and its ground truth computed once.
  const key = (p: Point) => `${p.records}:${p.campaigns}`;
  const order = [...new Set(points.map(key))];
  return points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order.indexOf(key(a.p)) - order.indexOf(key(b.p)) || a.i - b.i)
    .map((x) => x.p);
}
