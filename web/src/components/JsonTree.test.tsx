import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { JsonTree } from './JsonTree.js';

describe('JsonTree', () => {
  it('shows nested values with their types and folds levels past expandDepth', () => {
    render(
      <JsonTree
        value={{ name: 'image', size: 42, ok: true, none: null, deep: { inner: { leaf: 'x' } } }}
        expandDepth={2}
      />,
    );
    expect(screen.getByText('"image"')).toBeTruthy();
    expect(screen.getByText('42').className).toBe('json-number');
    expect(screen.getByText('true').className).toBe('json-boolean');
    expect(screen.getByText('null').className).toBe('json-null');
    // depth 2 ("inner") starts folded: its leaf is not rendered, a summary is.
    expect(screen.queryByText('"x"')).toBeNull();
    expect(screen.getByText(/1 key/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Expand "inner"' }));
    expect(screen.getByText('"x"')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Collapse "inner"' }));
    expect(screen.queryByText('"x"')).toBeNull();
  });

  it('expands and collapses everything at once', () => {
    render(<JsonTree value={{ a: { b: { c: { d: 'bottom' } } } }} expandDepth={1} />);
    expect(screen.queryByText('"bottom"')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(screen.getByText('"bottom"')).toBeTruthy();
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
    expect(screen.getByText('"</script><script>alert(\\"x\\")</script>"')).toBeTruthy();
    expect(screen.getByText(/"<img src=x onerror=alert\(1\)>"/)).toBeTruthy();
    expect(container.querySelector('a')).toBeNull();
  });

  it('pages huge arrays instead of rendering them whole', () => {
    const { container } = render(<JsonTree value={Array.from({ length: 250 }, (_, index) => index)} />);
    const tree = within(container.querySelector('ul[role="tree"]') as HTMLElement);
    expect(tree.getByText('99')).toBeTruthy();
    expect(tree.queryByText('100')).toBeNull();
    fireEvent.click(tree.getByRole('button', { name: 'Show 100 more of 150' }));
    expect(tree.getByText('199')).toBeTruthy();
  });

  it('shows empty containers and top-level scalars', () => {
    const { rerender } = render(<JsonTree value={{ a: [], b: {} }} />);
    expect(screen.getByText('[]')).toBeTruthy();
    expect(screen.getByText('{}')).toBeTruthy();
    rerender(<JsonTree value="just a string" />);
    expect(screen.getByText('"just a string"')).toBeTruthy();
  });
});
