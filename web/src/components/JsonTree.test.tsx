import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { JsonTree } from './JsonTree.js';

/** The tree item of a key (as shown: object keys quoted, array indexes bare). */
function itemOf(key: string): HTMLElement {
  const item = screen.getByText(`${key}:`).closest('li');
  if (item === null) throw new Error(`no tree item for ${key}`);
  return item;
}

describe('JsonTree', () => {
  it('shows nested values with their types and folds levels past expandDepth', () => {
    render(
      <JsonTree
        value={{ name: 'image', size: 42, ok: true, none: null, deep: { inner: { leaf: 'x' } } }}
        expandDepth={2}
      />,
    );
    expect(screen.getByText('"image"')).toHaveClass('json-string', { exact: true });
    expect(screen.getByText('42')).toHaveClass('json-number', { exact: true });
    expect(screen.getByText('true')).toHaveClass('json-boolean', { exact: true });
    expect(screen.getByText('null')).toHaveClass('json-null', { exact: true });
    // depth 2 ("inner") starts folded: its leaf is not rendered, a summary is.
    expect(screen.queryByText('"x"')).toBeNull();
    expect(screen.getByText(/1 key/)).toHaveTextContent(/^… 1 key }$/);
    const inner = itemOf('"inner"');
    expect(inner).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(screen.getByRole('button', { name: 'Expand "inner"' }));
    expect(inner).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByText('"x"')).toHaveClass('json-string');
    fireEvent.click(screen.getByRole('button', { name: 'Collapse "inner"' }));
    expect(screen.queryByText('"x"')).toBeNull();
  });

  it('expands and collapses everything at once', () => {
    render(<JsonTree value={{ a: { b: { c: { d: 'bottom' } } } }} expandDepth={1} />);
    expect(screen.queryByText('"bottom"')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(screen.getByText('"bottom"')).toHaveClass('json-string');
    expect(screen.queryAllByRole('treeitem', { expanded: false })).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(screen.queryByText('"bottom"')).toBeNull();
  });

  it('renders hostile strings as literal text, never as markup', () => {
    const payload = {
      '<img src=x onerror=alert(1)>': '</script><script>alert("x")</script>',
      list: ['<b>bold</b>', 'javascript:alert(1)'],
    };
    const { container } = render(<JsonTree value={payload} />);
    expect(container.querySelector('script, img, b')).toBeNull();
    expect(screen.getByText('"</script><script>alert(\\"x\\")</script>"')).toHaveClass('json-string');
    expect(screen.getByRole('tree')).toHaveTextContent('"<img src=x onerror=alert(1)>": ');
    expect(screen.getByRole('tree')).toHaveTextContent('1: "javascript:alert(1)"');
    expect(container.querySelector('a')).toBeNull();
  });

  it('pages huge arrays instead of rendering them whole', () => {
    const { container } = render(<JsonTree value={Array.from({ length: 250 }, (_, index) => index)} />);
    const tree = within(container.querySelector('ul[role="tree"]') as HTMLElement);
    expect(tree.getByText('99')).toHaveClass('json-number');
    expect(tree.queryByText('100')).toBeNull();
    // The root, its first 100 children and the "show more" item.
    expect(tree.getAllByRole('treeitem')).toHaveLength(102);
    fireEvent.click(tree.getByRole('button', { name: 'Show 100 more of 150' }));
    expect(tree.getByText('199')).toHaveClass('json-number');
    expect(tree.queryByText('200')).toBeNull();
    expect(tree.getByRole('treeitem', { name: 'Show 50 more of 50' })).toBeInTheDocument();
  });

  it('shows empty containers and top-level scalars', () => {
    const { rerender } = render(<JsonTree value={{ a: [], b: {} }} />);
    expect(screen.getByText('[]')).toHaveClass('json-punct');
    expect(screen.getByText('{}')).toHaveClass('json-punct');
    // Empty containers do not fold.
    expect(screen.getAllByRole('treeitem', { expanded: true })).toHaveLength(1);
    rerender(<JsonTree value="just a string" />);
    expect(screen.getByRole('tree')).toHaveTextContent(/^"just a string"$/);
    expect(screen.queryByRole('button', { name: 'Expand all' })).toBeNull();
  });

  describe('keyboard (WAI-ARIA tree view)', () => {
    const value = { a: 1, b: { c: 2, d: [3, 4] }, e: 'last' };

    it('is one tab stop that moves with the focus', async () => {
      const user = userEvent.setup();
      render(
        <>
          <button type="button">before</button>
          <JsonTree value={value} expandDepth={1} />
          <button type="button">after</button>
        </>,
      );
      const root = screen.getAllByRole('treeitem')[0];
      await user.click(screen.getByRole('button', { name: 'before' }));
      await user.tab();
      // "Expand all" and "Collapse all" first, then the tree once, then out.
      await user.tab();
      await user.tab();
      expect(root).toHaveFocus();
      expect(screen.getAllByRole('treeitem').filter((item) => item.tabIndex === 0)).toEqual([root]);
      await user.keyboard('{ArrowDown}{ArrowDown}');
      expect(itemOf('"b"')).toHaveFocus();
      expect(itemOf('"b"')).toHaveAttribute('tabindex', '0');
      expect(root).toHaveAttribute('tabindex', '-1');
      await user.tab();
      expect(screen.getByRole('button', { name: 'after' })).toHaveFocus();
      await user.tab({ shift: true });
      expect(itemOf('"b"')).toHaveFocus();
    });

    it('moves between visible items with the arrows, Home and End', async () => {
      const user = userEvent.setup();
      render(<JsonTree value={value} expandDepth={1} />);
      const root = screen.getAllByRole('treeitem')[0] as HTMLElement;
      act(() => root.focus());
      await user.keyboard('{ArrowDown}');
      expect(itemOf('"a"')).toHaveFocus();
      // "b" is folded: Down skips its children.
      await user.keyboard('{ArrowDown}{ArrowDown}');
      expect(itemOf('"e"')).toHaveFocus();
      await user.keyboard('{ArrowDown}');
      expect(itemOf('"e"')).toHaveFocus();
      await user.keyboard('{ArrowUp}');
      expect(itemOf('"b"')).toHaveFocus();
      await user.keyboard('{Home}');
      expect(root).toHaveFocus();
      await user.keyboard('{End}');
      expect(itemOf('"e"')).toHaveFocus();
    });

    it('opens, enters, closes and leaves nodes with Right and Left', async () => {
      const user = userEvent.setup();
      render(<JsonTree value={value} expandDepth={1} />);
      act(() => itemOf('"b"').focus());
      expect(itemOf('"b"')).toHaveAttribute('aria-expanded', 'false');
      await user.keyboard('{ArrowRight}');
      expect(itemOf('"b"')).toHaveAttribute('aria-expanded', 'true');
      expect(itemOf('"b"')).toHaveFocus();
      await user.keyboard('{ArrowRight}');
      expect(itemOf('"c"')).toHaveFocus();
      // A leaf: Right does nothing, Left goes to the parent.
      await user.keyboard('{ArrowRight}');
      expect(itemOf('"c"')).toHaveFocus();
      await user.keyboard('{ArrowDown}{ArrowRight}{ArrowRight}');
      expect(itemOf('0')).toHaveFocus();
      expect(itemOf('0')).toHaveAttribute('aria-level', '4');
      await user.keyboard('{ArrowLeft}');
      expect(itemOf('"d"')).toHaveFocus();
      await user.keyboard('{ArrowLeft}');
      expect(itemOf('"d"')).toHaveAttribute('aria-expanded', 'false');
      expect(itemOf('"d"')).toHaveFocus();
      await user.keyboard('{ArrowLeft}');
      expect(itemOf('"b"')).toHaveFocus();
      await user.keyboard('{ArrowLeft}');
      expect(itemOf('"b"')).toHaveAttribute('aria-expanded', 'false');
      expect(screen.queryByText('"c":')).toBeNull();
    });

    it('folds with Enter and Space, and a folded tab stop goes to its parent', async () => {
      const user = userEvent.setup();
      render(<JsonTree value={value} expandDepth={3} />);
      act(() => itemOf('"c"').focus());
      expect(itemOf('"c"')).toHaveAttribute('tabindex', '0');
      await user.keyboard('{ArrowDown}');
      expect(itemOf('"d"')).toHaveFocus();
      await user.keyboard('{Enter}');
      expect(itemOf('"d"')).toHaveAttribute('aria-expanded', 'false');
      await user.keyboard(' ');
      expect(itemOf('"d"')).toHaveAttribute('aria-expanded', 'true');
      // Folding "b" by pointer while its child "d" is the tab stop: "b" takes it over.
      await user.click(screen.getByRole('button', { name: 'Collapse "b"' }));
      expect(itemOf('"b"')).toHaveFocus();
      expect(screen.getAllByRole('treeitem').filter((item) => item.tabIndex === 0)).toEqual([itemOf('"b"')]);
    });

    it('gives the tab stop back to the root when a new value lacks its item', async () => {
      const user = userEvent.setup();
      const { rerender } = render(<JsonTree value={value} expandDepth={1} />);
      act(() => itemOf('"e"').focus());
      await user.keyboard('{ArrowUp}');
      expect(itemOf('"b"')).toHaveAttribute('tabindex', '0');
      rerender(<JsonTree value={{ a: 1 }} expandDepth={1} />);
      expect(screen.getAllByRole('treeitem').filter((item) => item.tabIndex === 0)).toEqual([
        screen.getAllByRole('treeitem')[0],
      ]);
    });

    it('states level, set size and position of every item', () => {
      render(<JsonTree value={value} expandDepth={3} />);
      const root = screen.getAllByRole('treeitem')[0];
      expect(root).toHaveAttribute('aria-level', '1');
      expect(root).toHaveAttribute('aria-setsize', '1');
      expect(itemOf('"a"')).toHaveAttribute('aria-level', '2');
      expect(itemOf('"a"')).toHaveAttribute('aria-setsize', '3');
      expect(itemOf('"a"')).toHaveAttribute('aria-posinset', '1');
      expect(itemOf('"e"')).toHaveAttribute('aria-posinset', '3');
      expect(itemOf('1')).toHaveAttribute('aria-level', '4');
      expect(itemOf('1')).toHaveAttribute('aria-setsize', '2');
      expect(itemOf('1')).toHaveAttribute('aria-posinset', '2');
      expect(itemOf('"a"')).not.toHaveAttribute('aria-expanded');
    });

    it('shows the next page of a huge array with Enter and focuses its first new item', async () => {
      const user = userEvent.setup();
      render(<JsonTree value={Array.from({ length: 150 }, (_, index) => index)} />);
      act(() => (screen.getAllByRole('treeitem')[0] as HTMLElement).focus());
      await user.keyboard('{End}');
      const more = screen.getByRole('treeitem', { name: 'Show 50 more of 50' });
      expect(more).toHaveFocus();
      await user.keyboard('{Enter}');
      expect(more).not.toBeInTheDocument();
      expect(itemOf('100')).toHaveFocus();
      expect(itemOf('100')).toHaveAttribute('tabindex', '0');
    });
  });
});
