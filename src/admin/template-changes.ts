import type { TemplateChanges, TemplateConfig } from '../model';

/** Field-by-field difference between two versions of a template, for its history. */
export function templateChanges(before: TemplateConfig | null, after: TemplateConfig): TemplateChanges {
  const changes: TemplateChanges = {};
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const field of fields) {
    const from = before?.[field as keyof TemplateConfig];
    const to = after[field as keyof TemplateConfig];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from: from ?? null, to: to ?? null };
  }
  return changes;
}
