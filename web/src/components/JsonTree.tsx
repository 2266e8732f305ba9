import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

/** Children shown per container before a "show more" item (huge arrays must not freeze the page). */
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

/**
 * Roving tabindex: the tree is one tab stop, the item that has (or last had) focus. Items are named by
 * their path of keys, escaped like a JSON pointer so that `/` inside a key cannot fake a descendant.
 */
interface RovingFocus {
  activeId: string;
  setActiveId: (id: string) => void;
}
const RovingFocusContext = createContext<RovingFocus>({ activeId: '', setActiveId: () => undefined });

const childId = (parentId: string, key: string): string =>
  `${parentId}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** The items a reader can reach: collapsed children are not rendered, so every item in the DOM is visible. */
function visibleItems(from: HTMLElement): HTMLElement[] {
  const tree = from.closest('[role="tree"]');
  return tree === null ? [] : [...tree.querySelectorAll<HTMLElement>('[role="treeitem"]')];
}

/** What the keys of the WAI-ARIA tree view pattern do to one item. */
interface ItemKeys {
  /** null for leaves. */
  open: boolean | null;
  setOpen: (open: boolean) => void;
  /** What Enter and Space do on an item that does not fold (the "show more" item). */
  activate?: () => void;
}

function onItemKeyDown(event: KeyboardEvent<HTMLLIElement>, item: ItemKeys): void {
  const element = event.currentTarget;
  // Keys bubble from nested items: only the focused one answers.
  if (event.target !== element || event.altKey || event.ctrlKey || event.metaKey) return;
  const items = visibleItems(element);
  const index = items.indexOf(element);
  let next: HTMLElement | null | undefined;
  switch (event.key) {
    case 'ArrowDown':
      next = items[index + 1];
      break;
    case 'ArrowUp':
      next = items[index - 1];
      break;
    case 'Home':
      next = items[0];
      break;
    case 'End':
      next = items[items.length - 1];
      break;
    case 'ArrowRight':
      if (item.open === false) item.setOpen(true);
      else if (item.open === true)
        next = element.querySelector<HTMLElement>(':scope > [role="group"] > [role="treeitem"]');
      break;
    case 'ArrowLeft':
      if (item.open === true) item.setOpen(false);
      else next = element.parentElement?.closest<HTMLElement>('[role="treeitem"]');
      break;
    case 'Enter':
    case ' ':
      if (item.open !== null) item.setOpen(!item.open);
      else item.activate?.();
      break;
    default:
      return;
  }
  event.preventDefault();
  next?.focus();
}

/** Makes an item the tab stop when it gets focus itself (not when one of its descendants does). */
function useItemFocus(id: string): {
  tabIndex: number;
  onFocus: (event: FocusEvent<HTMLLIElement>) => void;
} {
  const { activeId, setActiveId } = useContext(RovingFocusContext);
  return {
    tabIndex: activeId === id ? 0 : -1,
    onFocus: (event) => {
      if (event.target === event.currentTarget) setActiveId(id);
    },
  };
}

/** Where an item sits among its siblings, for assistive technology (the tree is not rendered whole). */
interface Position {
  level: number;
  setSize: number;
  posInSet: number;
}

function Node(props: {
  id: string;
  name: string | null;
  value: unknown;
  depth: number;
  expandDepth: number;
  position: Position;
}): ReactNode {
  const container = asContainer(props.value);
  const [open, setOpenState] = useState(props.depth < props.expandDepth);
  const [limit, setLimit] = useState(CHILDREN_PAGE);
  const { activeId, setActiveId } = useContext(RovingFocusContext);
  const focus = useItemFocus(props.id);
  const itemRef = useRef<HTMLLIElement>(null);
  // After "show more", focus goes to the first child it revealed (the item pressed may be gone).
  const focusChildAt = useRef<number | null>(null);
  useEffect(() => {
    const index = focusChildAt.current;
    if (index === null) return;
    focusChildAt.current = null;
    const children = itemRef.current?.querySelectorAll<HTMLElement>(
      ':scope > [role="group"] > [role="treeitem"]',
    );
    children?.[index]?.focus();
  }, [limit]);
  const aria = {
    'aria-level': props.position.level,
    'aria-setsize': props.position.setSize,
    'aria-posinset': props.position.posInSet,
  };
  const label = props.name === null ? null : <span className="json-key">{props.name}: </span>;
  if (container === null || container.entries.length === 0) {
    return (
      <li
        role="treeitem"
        {...aria}
        {...focus}
        className="json-node"
        onKeyDown={(event) => onItemKeyDown(event, { open: null, setOpen: () => undefined })}
      >
        {label}
        {container === null ? (
          <Leaf value={props.value} />
        ) : (
          <span className="json-punct">{container.kind === 'array' ? '[]' : '{}'}</span>
        )}
      </li>
    );
  }
  const setOpen = (next: boolean): void => {
    // Folding away the tab stop would leave the tree with none: this item takes it back.
    if (!next && activeId.startsWith(`${props.id}/`)) setActiveId(props.id);
    setOpenState(next);
  };
  const toggleByPointer = (next: boolean): void => {
    setOpen(next);
    itemRef.current?.focus();
  };
  const [openMark, closeMark] = container.kind === 'array' ? ['[', ']'] : ['{', '}'];
  const count = container.entries.length;
  const summary =
    container.kind === 'array'
      ? `${count} ${count === 1 ? 'item' : 'items'}`
      : `${count} ${count === 1 ? 'key' : 'keys'}`;
  const childLevel = props.position.level + 1;
  return (
    <li
      ref={itemRef}
      role="treeitem"
      {...aria}
      {...focus}
      aria-expanded={open}
      className="json-node"
      onKeyDown={(event) => onItemKeyDown(event, { open, setOpen })}
    >
      {/* Pointer targets only: the keyboard folds the item itself, so these are no tab stops. */}
      <button
        type="button"
        tabIndex={-1}
        className="json-toggle"
        aria-label={open ? `Collapse ${props.name ?? 'root'}` : `Expand ${props.name ?? 'root'}`}
        onClick={() => toggleByPointer(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      {label}
      <span className="json-punct">{openMark}</span>
      {open ? (
        <>
          <ul role="group" className="json-children">
            {container.entries.slice(0, limit).map(([key, child], index) => (
              <Node
                key={key}
                id={childId(props.id, key)}
                name={container.kind === 'array' ? key : JSON.stringify(key)}
                value={child}
                depth={props.depth + 1}
                expandDepth={props.expandDepth}
                position={{ level: childLevel, setSize: count, posInSet: index + 1 }}
              />
            ))}
            {count > limit && (
              <ShowMore
                id={`${props.id}/…`}
                level={childLevel}
                more={Math.min(CHILDREN_PAGE, count - limit)}
                left={count - limit}
                onShowMore={() => {
                  focusChildAt.current = limit;
                  setLimit(limit + CHILDREN_PAGE);
                }}
              />
            )}
          </ul>
          <span className="json-punct">{closeMark}</span>
        </>
      ) : (
        <button type="button" tabIndex={-1} className="json-summary" onClick={() => toggleByPointer(true)}>
          … {summary} {closeMark}
        </button>
      )}
    </li>
  );
}

/** The item after a page of children: Enter, Space or a click shows the next page. */
function ShowMore(props: {
  id: string;
  level: number;
  more: number;
  left: number;
  onShowMore: () => void;
}): ReactNode {
  const focus = useItemFocus(props.id);
  const text = `Show ${props.more} more of ${props.left}`;
  return (
    <li
      role="treeitem"
      aria-level={props.level}
      aria-label={text}
      {...focus}
      className="json-node"
      onKeyDown={(event) =>
        onItemKeyDown(event, { open: null, setOpen: () => undefined, activate: props.onShowMore })
      }
    >
      <button type="button" tabIndex={-1} className="link" onClick={props.onShowMore}>
        {text}
      </button>
    </li>
  );
}

/**
 * A collapsible JSON tree; everything is rendered as text. Levels deeper than `expandDepth` start folded.
 * Keyboard as in the WAI-ARIA tree view pattern: one tab stop, ↑/↓ between visible items, → opens or
 * enters, ← closes or goes to the parent, Home/End, Enter/Space fold.
 */
export function JsonTree(props: { value: unknown; expandDepth?: number; label?: string }): ReactNode {
  // Remounting with a new key applies "expand all" / "collapse all" to every node at once.
  const [mode, setMode] = useState<{ depth: number; key: number }>({ depth: props.expandDepth ?? 2, key: 0 });
  const [activeId, setActiveId] = useState('');
  const treeRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    // A new value (time travel) may no longer have the item that was the tab stop: the root takes it.
    if (activeId !== '' && treeRef.current?.querySelector('[role="treeitem"][tabindex="0"]') === null)
      setActiveId('');
  });
  const expandable = asContainer(props.value) !== null;
  const remount = (depth: number): void => {
    // The remount folds and pages every node anew, which may remove the tab stop; the root is always there.
    setActiveId('');
    setMode({ depth, key: mode.key + 1 });
  };
  return (
    <div className="json-tree">
      {expandable && (
        <div className="json-tools">
          <button type="button" className="link" onClick={() => remount(Number.POSITIVE_INFINITY)}>
            Expand all
          </button>
          <button type="button" className="link" onClick={() => remount(1)}>
            Collapse all
          </button>
        </div>
      )}
      <RovingFocusContext value={{ activeId, setActiveId }}>
        <ul role="tree" aria-label={props.label ?? 'JSON'} key={mode.key} ref={treeRef}>
          <Node
            id=""
            name={null}
            value={props.value}
            depth={0}
            expandDepth={mode.depth}
            position={{ level: 1, setSize: 1, posInSet: 1 }}
          />
        </ul>
      </RovingFocusContext>
    </div>
  );
}
