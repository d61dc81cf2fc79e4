/**
 * A map an isolate keeps across requests, bounded: setting a key makes it the newest entry, and a new key in a full
 * map drops the oldest. What callers send (client ids, addresses, URLs, key sets) must not grow an isolate's memory.
 */
export class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: string, value: V): this {
    if (!this.delete(key) && this.size >= this.limit) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}
