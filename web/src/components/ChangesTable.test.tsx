import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ChangesTable } from './ChangesTable.js';

describe('ChangesTable', () => {
  it('lists field, before and after, and tells added, changed and removed fields apart', () => {
    render(
      <ChangesTable
        changes={[
          { field: 'name', before: 'old name', after: 'new name' },
          { field: 'assignee_id', before: null, after: 'u-1' },
          { field: 'tags', before: ['a'], after: null },
        ]}
      />,
    );
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((row) => row.getAttribute('data-change'))).toEqual(['changed', 'added', 'removed']);
    const [changed, added, removed] = rows.map((row) => ({
      field: within(row).getByRole('rowheader'),
      before: within(row).getAllByRole('cell')[0],
      after: within(row).getAllByRole('cell')[1],
    }));
    expect(changed?.field).toHaveTextContent(/^name$/);
    expect(changed?.before).toHaveTextContent(/^"old name"$/);
    expect(changed?.before?.firstElementChild).toHaveClass('before');
    expect(changed?.after).toHaveTextContent(/^"new name"$/);
    expect(changed?.after?.firstElementChild).toHaveClass('after');
    // An absent side is a muted dash, not a JSON null.
    expect(added?.before).toHaveTextContent(/^—$/);
    expect(added?.before?.firstElementChild).toHaveClass('muted');
    expect(added?.after).toHaveTextContent(/^"u-1"$/);
    expect(removed?.before).toHaveTextContent(/^\["a"\]$/);
    expect(removed?.after).toHaveTextContent(/^—$/);
  });

  it('says so when nothing changed', () => {
    const { container } = render(<ChangesTable changes={[]} />);
    expect(container).toHaveTextContent(/^No field changed\.$/);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('renders markup in values as text', () => {
    const { container } = render(
      <ChangesTable changes={[{ field: '<i>f</i>', before: null, after: '<script>alert(1)</script>' }]} />,
    );
    expect(container.querySelector('script, i')).toBeNull();
    expect(screen.getByRole('rowheader')).toHaveTextContent(/^<i>f<\/i>$/);
    expect(screen.getAllByRole('cell')[1]).toHaveTextContent(/^"<script>alert\(1\)<\/script>"$/);
  });
});
