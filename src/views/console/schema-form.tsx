import type { FieldGroup, FormField } from '../../admin/form-fields';
import { valueAt } from '../../admin/form-fields';
import type { InputIssue } from '../../admin/input';

/** The fields of a schema-made form (src/admin/form-fields.ts), filled with `values`, each with its errors. */
export interface SchemaFormProps {
  groups: FieldGroup[];
  values: Record<string, unknown>;
  issues: InputIssue[];
  optionLabels: Record<string, string>;
  /** Shown but not editable (a template's name once it exists). */
  readOnly?: string[];
}

const idOf = (name: string) => `f-${name.replace(/\./g, '-')}`;

/** Issues of a field: those whose path is its name or lies below it (`redirect_uris.0`). */
const issuesOf = (issues: InputIssue[], name: string) => issues.filter((i) => i.path === name || i.path.startsWith(`${name}.`));

export function SchemaFields(props: SchemaFormProps) {
  return (
    <>
      {props.groups.map((group) => (
        <fieldset>
          {/* A group of one field named like it needs no title of its own: the field's label is the title. */}
          {!(group.fields.length === 1 && group.fields[0]!.label === group.title) && <legend>{group.title}</legend>}
          {group.help && <p class="help">{group.help}</p>}
          {group.fields.map((field) => (
            <Field field={field} {...props} />
          ))}
        </fieldset>
      ))}
    </>
  );
}

function Field(props: SchemaFormProps & { field: FormField }) {
  const { field } = props;
  const value = valueAt(props.values, field.name) ?? field.default;
  const errors = issuesOf(props.issues, field.name);
  const describedBy = errors.length ? `${idOf(field.name)}-error` : undefined;
  const help = field.help && <span class="help">{field.help}</span>;
  const errorText = errors.length > 0 && (
    <p class="error" id={`${idOf(field.name)}-error`}>
      {errors.map((e) => `${e.path.slice(field.name.length).replace(/^\./, '') || field.label}: ${e.message}`).join('; ')}
    </p>
  );
  const label = (text: string) => props.optionLabels[text] ?? text;

  switch (field.kind) {
    case 'choices':
    case 'variant': {
      const multiple = field.kind === 'choices';
      const options = multiple ? field.options! : field.variants!.map((v) => v.value);
      const chosen = multiple ? ((value as string[] | undefined) ?? []) : valueAt(value, field.discriminator!);
      return (
        <fieldset class="inner" data-variants={multiple ? undefined : field.name}>
          <legend>{field.label}</legend>
          {help}
          {options.map((option) => (
            <label class="check">
              <input
                type={multiple ? 'checkbox' : 'radio'}
                name={field.name}
                value={option}
                checked={multiple ? (chosen as string[]).includes(option) : chosen === option}
              />
              <span>
                {label(option)} <code>{option}</code>
              </span>
            </label>
          ))}
          {errorText}
          {field.variants?.map((variant) => (
            <div data-variant-of={field.name} data-variant={variant.value}>
              {variant.fields.map((f) => (
                <Field {...props} field={f} values={props.values} />
              ))}
            </div>
          ))}
        </fieldset>
      );
    }
    case 'toggle':
      return (
        <>
          <label class="check">
            <input type="checkbox" name={field.name} id={idOf(field.name)} checked={value === true} aria-describedby={describedBy} />
            <span>
              {field.label}
              {help}
            </span>
          </label>
          {errorText}
        </>
      );
    case 'choice':
    case 'yes-no': {
      const options = field.kind === 'choice' ? field.options! : ['yes', 'no'];
      const selected = field.kind === 'choice' ? value : value === undefined ? '' : value ? 'yes' : 'no';
      return (
        <>
          <label for={idOf(field.name)}>
            {field.label}
            {help}
          </label>
          <select id={idOf(field.name)} name={field.name} aria-describedby={describedBy}>
            {(!field.required || field.kind === 'yes-no') && <option value="">—</option>}
            {options.map((o) => (
              <option value={o} selected={selected === o}>
                {label(o)}
              </option>
            ))}
          </select>
          {errorText}
        </>
      );
    }
    case 'lines':
      return (
        <>
          <label for={idOf(field.name)}>
            {field.label}
            {help}
          </label>
          <textarea id={idOf(field.name)} name={field.name} rows={3} aria-describedby={describedBy}>
            {((value as string[] | undefined) ?? []).join('\n')}
          </textarea>
          {errorText}
        </>
      );
    default: {
      const text = field.kind === 'json' ? (value === undefined ? '' : JSON.stringify(value)) : value === undefined ? '' : String(value);
      const readOnly = props.readOnly?.includes(field.name);
      return (
        <>
          <label for={idOf(field.name)}>
            {field.label}
            {help}
          </label>
          <input
            id={idOf(field.name)}
            name={field.name}
            type={field.kind === 'number' ? 'number' : field.kind === 'password' ? 'password' : 'text'}
            value={text}
            required={field.required && !readOnly}
            readonly={readOnly}
            aria-describedby={describedBy}
            autocomplete={field.kind === 'password' ? 'new-password' : 'off'}
          />
          {errorText}
        </>
      );
    }
  }
}
