import { z } from 'zod';

/**
 * Console forms made from the zod schemas the admin API validates with: each field of a schema becomes a form
 * field of the kind its JSON Schema says (a list of choices, lines of text, a number, ...), so a field added to a
 * schema appears in the console's form by itself (in "Other settings" until a layout places and labels it). The
 * posted form is turned back into the JSON object the same schema then validates.
 */

export type FieldKind = 'text' | 'password' | 'number' | 'toggle' | 'yes-no' | 'choice' | 'choices' | 'lines' | 'json' | 'variant';

export interface FormField {
  /** Dotted path into the JSON object: `registration.allowed_clients`. */
  name: string;
  label: string;
  help?: string;
  kind: FieldKind;
  required: boolean;
  options?: string[];
  default?: unknown;
  /** `variant`: the property that tells the variants apart, and each variant's own fields. */
  discriminator?: string;
  variants?: { value: string; fields: FormField[] }[];
}

export interface FieldGroup {
  title: string;
  help?: string;
  fields: FormField[];
}

export interface FormLayout {
  groups: { title: string; help?: string; fields: string[] }[];
  /** Labels and help by dotted field name; option labels by value. */
  labels?: Record<string, { label: string; help?: string }>;
  omit?: string[];
}

type Json = Record<string, unknown> & {
  type?: string | string[];
  enum?: string[];
  const?: string;
  items?: Json;
  properties?: Record<string, Json>;
  required?: string[];
  oneOf?: Json[];
  anyOf?: Json[];
  default?: unknown;
};

const humanize = (name: string) => {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function fieldOf(name: string, schema: Json, required: boolean, labels: FormLayout['labels']): FormField {
  const base = { name, label: labels?.[name]?.label ?? humanize(name.split('.').at(-1)!), required, default: schema.default };
  const help = labels?.[name]?.help;
  const withHelp = help ? { ...base, help } : base;
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants?.every((v) => v.properties)) {
    const discriminator = Object.keys(variants[0]!.properties!).find((key) =>
      variants.every((v) => v.properties![key]?.const !== undefined),
    );
    if (discriminator) {
      return {
        ...withHelp,
        kind: 'variant',
        discriminator,
        variants: variants.map((v) => ({
          value: v.properties![discriminator]!.const!,
          fields: Object.entries(v.properties!)
            .filter(([key]) => key !== discriminator)
            .map(([key, s]) => fieldOf(`${name}.${key}`, s, v.required?.includes(key) ?? false, labels)),
        })),
      };
    }
  }
  if (schema.type === 'boolean') return { ...withHelp, kind: required || schema.default !== undefined ? 'toggle' : 'yes-no' };
  if (schema.type === 'integer' || schema.type === 'number') return { ...withHelp, kind: 'number' };
  if (schema.type === 'string' && schema.enum) return { ...withHelp, kind: 'choice', options: schema.enum };
  if (schema.type === 'string') return { ...withHelp, kind: 'text' };
  if (schema.type === 'array' && schema.items?.enum) return { ...withHelp, kind: 'choices', options: schema.items.enum };
  if (schema.type === 'array' && schema.items?.type === 'string') return { ...withHelp, kind: 'lines' };
  return { ...withHelp, kind: 'json' };
}

/** The fields of an object schema, nested objects flattened (`address.locality`), in the layout's groups. */
export function formGroups(schema: z.ZodType, layout: FormLayout, prefix = ''): FieldGroup[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const fields = flatten(json, prefix, layout.labels).filter((f) => !layout.omit?.includes(f.name));
  const placed = new Set(layout.groups.flatMap((g) => g.fields));
  const groups: FieldGroup[] = layout.groups.map((g) => ({
    title: g.title,
    ...(g.help ? { help: g.help } : {}),
    fields: g.fields.flatMap((name) => fields.filter((f) => f.name === name)),
  }));
  const others = fields.filter((f) => !placed.has(f.name));
  return [...groups, ...(others.length ? [{ title: 'Other settings', fields: others }] : [])].filter((g) => g.fields.length);
}

function flatten(json: Json, prefix: string, labels: FormLayout['labels']): FormField[] {
  return Object.entries(json.properties ?? {}).flatMap(([key, schema]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    if (schema.type === 'object' && schema.properties) return flatten(schema, name, labels);
    return [fieldOf(name, schema, json.required?.includes(key) ?? false, labels)];
  });
}

/** The JSON object a posted form stands for: empty fields are left out, so that the schema's defaults apply. */
export function valuesFromForm(groups: FieldGroup[], form: URLSearchParams): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of groups.flatMap((g) => g.fields)) readField(field, form, result);
  return result;
}

function readField(field: FormField, form: URLSearchParams, into: Record<string, unknown>) {
  const raw = form.get(field.name) ?? '';
  switch (field.kind) {
    case 'variant': {
      const chosen = field.variants!.find((v) => v.value === raw);
      if (!chosen) return;
      const own: Record<string, unknown> = {};
      for (const f of chosen.fields) readField(f, form, own);
      return setPath(into, field.name, { [field.discriminator!]: raw, ...(valueAt(own, field.name) as object | undefined) });
    }
    case 'toggle':
      return setPath(into, field.name, form.has(field.name));
    case 'choices':
      return setPath(into, field.name, form.getAll(field.name));
    case 'lines':
      return setPath(into, field.name, raw.split(/\s+/).filter(Boolean));
    default: {
      const text = raw.trim();
      if (text === '') return;
      if (field.kind === 'number') return setPath(into, field.name, Number.isFinite(Number(text)) ? Number(text) : text);
      if (field.kind === 'yes-no') return setPath(into, field.name, text === 'yes');
      if (field.kind === 'json') return setPath(into, field.name, parseJson(text));
      return setPath(into, field.name, text);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setPath(into: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split('.');
  let target = into;
  for (const part of parts.slice(0, -1)) {
    target[part] ??= {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts.at(-1)!] = value;
}

/** The value at a dotted path of a representation, for filling a form. */
export function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], object);
}
