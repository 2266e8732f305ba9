import { useState, type ReactNode } from 'react';

/** Children shown per container before a "show more" button (huge arrays must not freeze the page). */
const CHILDREN_PAGE = 100;

type Container =
  | { kind: 'array'; entries: Array<[string, unknown]> }
  | { kind: 'object'; entries: Array<[string, unknown]> };

function asContainer(value: unknown): Container | null {
  if (Array.isArray(value))
    return { kind: 'array', entries: value.map((item, index) => [String(index), item]) };
  if (value !== null && typeof value === 'object') return { kind: 'object', entries: Object.entries(value) };
  return null;
}

/** A JSON leaf, typed by colour and always rendered as text (strings keep their quotes and escapes). */
function Leaf({ value }: { value: unknown }): ReactNode {
  if (value === null) return <span className="json-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span className="json-string">{JSON.stringify(value)}</span>;
    case 'number':
      return <span className="json-number">{String(value)}</span>;
    case 'boolean':
      return <span className="json-boolean">{String(value)}</span>;
    default:
      return <span className="json-other">{String(value)}</span>;
  }
}

function Node(props: { name: string | null; value: unknown; depth: number; expandDepth: number }): ReactNode {
  const container = asContainer(props.value);
  const [open, setOpen] = useState(props.depth < props.expandDepth);
  const [limit, setLimit] = useState(CHILDREN_PAGE);
  const label = props.name === null ? null : <span className="json-key">{props.name}: </span>;
  if (container === null) {
    return (
      <li role="treeitem" aria-selected={false} className="json-node">
        {label}
        <Leaf value={props.value} />
      </li>
    );
  }
  const [openMark, closeMark] = container.kind === 'array' ? ['[', ']'] : ['{', '}'];
  const count = container.entries.length;
  const summary =
    container.kind === 'array'
      ? `${count} ${count === 1 ? 'item' : 'items'}`
      : `${count} ${count === 1 ? 'key' : 'keys'}`;
  if (count === 0) {
    return (
      <li role="treeitem" aria-selected={false} className="json-node">
        {label}
        <span className="json-punct">{openMark + closeMark}</span>
      </li>
    );
  }
  return (
    <li role="treeitem" aria-selected={false} aria-expanded={open} className="json-node">
      <button
        type="button"
        className="json-toggle"
        aria-label={open ? `Collapse ${props.name ?? 'root'}` : `Expand ${props.name ?? 'root'}`}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      {label}
      <span className="json-punct">{openMark}</span>
      {open ? (
        <>
          <ul role="group" className="json-children">
            {container.entries.slice(0, limit).map(([key, child]) => (
              <Node
                key={key}
                name={container.kind === 'array' ? key : JSON.stringify(key)}
                value={child}
                depth={props.depth + 1}
                expandDepth={props.expandDepth}
              />
            ))}
            {count > limit && (
              <li className="json-node">
                <button type="button" className="link" onClick={() => setLimit(limit + CHILDREN_PAGE)}>
                  Show {Math.min(CHILDREN_PAGE, count - limit)} more of {count - limit}
                </button>
              </li>
            )}
          </ul>
          <span className="json-punct">{closeMark}</span>
        </>
      ) : (
        <button type="button" className="json-summary" onClick={() => setOpen(true)}>
          … {summary} {closeMark}
        </button>
      )}
    </li>
  );
}

/** A collapsible JSON tree; everything is rendered as text. Levels deeper than `expandDepth` start folded. */
export function JsonTree(props: { value: unknown; expandDepth?: number; label?: string }): ReactNode {
  // Remounting with a new key applies "expand all" / "collapse all" to every node at once.
  const [mode, setMode] = useState<{ depth: number; key: number }>({ depth: props.expandDepth ?? 2, key: 0 });
  const expandable = asContainer(props.value) !== null;
  return (
    <div className="json-tree">
      {expandable && (
        <div className="json-tools">
          <button
            type="button"
            className="link"
            onClick={() => setMode({ depth: Number.POSITIVE_INFINITY, key: mode.key + 1 })}
          >
            Expand all
          </button>
          <button type="button" className="link" onClick={() => setMode({ depth: 1, key: mode.key + 1 })}>
            Collapse all
          </button>
        </div>
      )}
      <ul role="tree" aria-label={props.label ?? 'JSON'} key={mode.key}>
        <Node name={null} value={props.value} depth={0} expandDepth={mode.depth} />
      </ul>
    </div>
  );
}
