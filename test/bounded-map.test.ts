import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/bounded-map';

describe('BoundedMap (per-isolate caches)', () => {
  it('drops the oldest entry when a new key comes to a full map', () => {
    const map = new BoundedMap<number>(2);
    map.set('a', 1).set('b', 2).set('c', 3);
    expect([...map.keys()]).toEqual(['b', 'c']);
  });

  it('setting a key again makes it the newest, and drops nothing', () => {
    const map = new BoundedMap<number>(2);
    map.set('a', 1).set('b', 2).set('a', 3);
    expect([...map.entries()]).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
    map.set('c', 4);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });
});
