// Minimal SVG writing: text escaping, one element as a string, the document wrapper with an accessible
// <title>/<desc> and a viewBox. Attributes are written in the order given, numbers through coord(), so the
// same input always gives the same string. No ids are emitted: several charts can be inlined in one HTML
// page without collisions (the accessible name comes from the <title> child, SVG-AAM).
import { coord } from '../format.js';
import { checkArgument } from '../../options/schema.js';
import * as is from '../../options/specs.js';

/** Escape text and attribute values for XML (& < > " '). */
export function esc(s: string): string {
  checkArgument('escapeXml', 's', s, is.string());
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

export type Attrs = Record<string, string | number | undefined>;

function attrString(attrs: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    s += ` ${k}="${typeof v === 'number' ? coord(v) : esc(v)}"`;
  }
  return s;
}

/** `<name a="…">children</name>`, or self-closing when children is undefined. children is raw XML. */
export function el(name: string, attrs: Attrs, children?: string): string {
  return children === undefined ? `<${name}${attrString(attrs)}/>` : `<${name}${attrString(attrs)}>${children}</${name}>`;
}

/** A <text> element with escaped content. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, esc(content));
}

export interface SvgDocument {
  width: number;
  height: number;
  title: string;
  desc: string;
  body: string;
}

/** The complete <svg> element (standalone file or inline in HTML). */
export function svgDocument(d: SvgDocument): string {
  return el('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `0 0 ${coord(d.width)} ${coord(d.height)}`,
    width: d.width,
    height: d.height,
    role: 'img',
    'font-family': 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
    'font-size': 11,
  }, `<title>${esc(d.title)}</title><desc>${esc(d.desc)}</desc>`
    + el('rect', { x: 0, y: 0, width: d.width, height: d.height, fill: '#ffffff' }) + d.body);
}
