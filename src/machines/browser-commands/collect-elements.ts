import type { PageElement } from './page-elements.js';

/**
 * Runs inside the page, so it refers to nothing outside itself. The DOM types are not part of
 * this project's compile (it targets Node), hence the loose typing.
 */
export function collectElements(limit: number): PageElement[] {
  const win = globalThis as any;
  const doc = win.document;
  const widgetRoles = new Set([
    'button',
    'link',
    'textbox',
    'searchbox',
    'combobox',
    'checkbox',
    'radio',
    'switch',
    'tab',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'option',
    'slider',
    'spinbutton',
    'listbox',
    'treeitem',
  ]);
  const inputRoles: Record<string, string> = {
    button: 'button',
    submit: 'button',
    reset: 'button',
    image: 'button',
    file: 'button',
    checkbox: 'checkbox',
    radio: 'radio',
    range: 'slider',
    number: 'spinbutton',
    search: 'searchbox',
  };
  const clean = (text: unknown): string =>
    String(text ?? '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200);

  const roleOf = (el: any): string | undefined => {
    const explicit = String(el.getAttribute('role') ?? '').split(/\s+/)[0] ?? '';
    if (widgetRoles.has(explicit)) return explicit;
    const tag = el.localName;
    if (tag === 'a' && el.hasAttribute('href')) return 'link';
    if (tag === 'button' || tag === 'summary') return 'button';
    if (tag === 'textarea') return 'textbox';
    if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'input') {
      const type = String(el.type ?? 'text').toLowerCase();
      return type === 'hidden' ? undefined : (inputRoles[type] ?? 'textbox');
    }
    if (el.isContentEditable && !el.parentElement?.isContentEditable) return 'textbox';
    if (el.hasAttribute('onclick')) return 'button';
    const tabIndex = el.getAttribute('tabindex');
    if (tabIndex !== null && Number(tabIndex) >= 0 && explicit === '') return 'button';
    return undefined;
  };

  const nameOf = (el: any): string => {
    const labelledBy = String(el.getAttribute('aria-labelledby') ?? '').trim();
    if (labelledBy !== '') {
      const parts = labelledBy.split(/\s+/).map((id) => doc.getElementById(id)?.textContent);
      const joined = clean(parts.join(' '));
      if (joined !== '') return joined;
    }
    const aria = clean(el.getAttribute('aria-label'));
    if (aria !== '') return aria;
    const tag = el.localName;
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      const type = String(el.type ?? '').toLowerCase();
      if (['button', 'submit', 'reset'].includes(type)) {
        return clean(el.value || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : ''));
      }
      if (type === 'image') return clean(el.alt || el.value || 'Submit');
      const labels = Array.from(el.labels ?? []).map((label: any) => label.innerText);
      const labelled = clean(labels.join(' '));
      if (labelled !== '') return labelled;
      return clean(el.placeholder || el.title || el.getAttribute('name'));
    }
    const text = clean(el.innerText);
    if (text !== '') return text;
    const image = el.querySelector('img[alt]');
    return clean(
      el.title || image?.getAttribute('alt') || el.querySelector('svg title')?.textContent,
    );
  };

  // The element under a point, looking into open shadow roots as a click would land there.
  const hitAt = (x: number, y: number): any => {
    let hit = doc.elementFromPoint(x, y);
    while (hit?.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit;
  };
  const lands = (el: any, hit: any): boolean => {
    for (let node = hit; node; node = node.parentNode ?? node.host) {
      if (node === el) return true;
    }
    return hit?.localName === 'label' && hit.control === el;
  };

  // The largest visible piece of the element: a link wrapped over two lines has two boxes,
  // and the centre of their union may be on neither.
  const boxOf = (el: any) => {
    const width = win.innerWidth;
    const height = win.innerHeight;
    let best: { x: number; y: number; width: number; height: number } | undefined;
    for (const rect of Array.from(el.getClientRects()) as any[]) {
      const left = Math.ceil(Math.max(0, rect.left));
      const top = Math.ceil(Math.max(0, rect.top));
      const right = Math.floor(Math.min(width, rect.right));
      const bottom = Math.floor(Math.min(height, rect.bottom));
      const box = { x: left, y: top, width: right - left, height: bottom - top };
      if (
        box.width >= 1 &&
        box.height >= 1 &&
        (!best || box.width * box.height > best.width * best.height)
      ) {
        best = box;
      }
    }
    return best;
  };

  const found: PageElement[] = [];
  const visit = (root: any): void => {
    for (const el of Array.from(root.querySelectorAll('*')) as any[]) {
      if (found.length >= limit) return;
      if (el.shadowRoot) visit(el.shadowRoot);
      const role = roleOf(el);
      if (!role || el.disabled) continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const box = boxOf(el);
      if (!box) continue;
      // An agent computes the centre as x + width / 2 and may round either way.
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      const points = [
        { x: Math.floor(cx), y: Math.floor(cy) },
        { x: Math.ceil(cx), y: Math.ceil(cy) },
      ];
      if (!points.every((point) => lands(el, hitAt(point.x, point.y)))) continue;
      const element: PageElement = { role, name: nameOf(el), tag: el.localName, ...box };
      if (role === 'link') element.href = String(el.href ?? '');
      found.push(element);
    }
  };
  visit(doc);
  return found;
}
