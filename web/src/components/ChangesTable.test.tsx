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
    const first = within(rows[0] as HTMLElement);
    expect(first.getByText('name')).toBeTruthy();
    expect(first.getByText('"old name"')).toBeTruthy();
    expect(first.getByText('"new name"')).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getByText('—')).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText('["a"]')).toBeTruthy();
  });

  it('says so when nothing changed', () => {
    render(<ChangesTable changes={[]} />);
    expect(screen.getByText('No field changed.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('renders markup in values as text', () => {
    const { container } = render(
      <ChangesTable changes={[{ field: '<i>f</i>', before: null, after: '<script>alert(1)</script>' }]} />,
    );
    expect(container.querySelector('script, i')).toBeNull();
    expect(screen.getByText('"<script>alert(1)</script>"')).toBeTruthy();
    expect(screen.getByText('<i>f</i>')).toBeTruthy();
  });
});
