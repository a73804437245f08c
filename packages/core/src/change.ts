/**
 * A KTable update as it flows between table processors: the value before and after. `undefined`
 * means "absent" (a new key, or a deletion).
 */
export interface Change<V> {
  readonly newValue: V | undefined;
  readonly oldValue: V | undefined;
}

export function change<V>(newValue: V | undefined, oldValue: V | undefined): Change<V> {
  return { newValue, oldValue };
}
