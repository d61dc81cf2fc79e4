import type { Page } from '../store';

/** Pages are read one row past the limit: that row only says whether another page follows. */
export const rowsFor = (limit: number) => limit + 1;

export function pageOf<R, T>(rows: R[], limit: number, toItem: (row: R) => T): Page<T> {
  return { items: rows.slice(0, limit).map(toItem), more: rows.length > limit };
}
