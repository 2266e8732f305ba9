import type { ReactNode } from 'react';

/** One field's before/after, as the schema's `FieldChange` (null = absent). */
export interface FieldChangeView {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** A JSON value on one line, or an em dash when absent. */
function Value({ value, className }: { value: unknown; className: string }): ReactNode {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return <code className={className}>{JSON.stringify(value)}</code>;
}

/** What an event changed: field, before, after. Added fields have no before, removed ones no after. */
export function ChangesTable({ changes }: { changes: readonly FieldChangeView[] }): ReactNode {
  if (changes.length === 0) return <p className="muted">No field changed.</p>;
  return (
    <table className="changes">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => {
          const kind =
            change.before === null || change.before === undefined
              ? 'added'
              : change.after === null || change.after === undefined
                ? 'removed'
                : 'changed';
          return (
            <tr key={change.field} className={`change-${kind}`} data-change={kind}>
              <th scope="row">
                <code>{change.field}</code>
              </th>
              <td>
                <Value value={change.before} className="before" />
              </td>
              <td>
                <Value value={change.after} className="after" />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
