// DOM helpers: elements are built with h(), so API data is always text, never markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.setAttribute('style', v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's content. */
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldIds = 0;
/** A labelled control (the label is what a screen reader announces). */
export function field(label, control) {
  if (!control.id) control.id = `f${++fieldIds}`;
  // The label wraps the control; aria-label keeps the control's name to the label alone.
  if (!control.hasAttribute('aria-label')) control.setAttribute('aria-label', label);
  if (control.type === 'checkbox') return h('label', { class: 'check', for: control.id }, control, label);
  return h('label', { for: control.id }, label, control);
}

export function errorBox(e) {
  return h('div', { class: 'error', role: 'alert' }, e instanceof Error ? e.message : String(e));
}

export function okBox(text) {
  return h('div', { class: 'success', role: 'status' }, text);
}

/** A toast in the live region. */
export function say(text) {
  const box = document.getElementById('status');
  const el = h('div', {}, text);
  box.append(el);
  setTimeout(() => el.remove(), 4000);
}

/** Runs an action from a button: disables it meanwhile and shows the error in words next to it. */
export function action(button, out, fn) {
  button.addEventListener('click', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    try {
      const result = await fn();
      if (out && typeof result === 'string' && result) put(out, okBox(result));
      else if (out) put(out);
    } catch (e) {
      if (out) put(out, errorBox(e)); else say(e.message);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** A table; columns are [heading, row => cell content]. Collapses into cards at phone width. */
export function table(columns, rows, opts = {}) {
  return h('div', { class: 'scroll' }, h('table', { class: 'collapse', 'aria-label': opts.label },
    h('thead', {}, h('tr', {}, columns.map(([head]) => h('th', { scope: 'col' }, head)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', opts.rowAttrs ? opts.rowAttrs(r) : {},
      columns.map(([head, cell]) => h('td', { 'data-label': typeof head === 'string' ? head : '' }, cell(r)))))
      : h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, opts.empty || 'Nothing here yet.')))));
}

export function when(iso) {
  if (!iso) return 'never';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function bytes(n) {
  if (n == null) return '';
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(2)} MiB`;
}

export function onlinePill(online) {
  return h('span', { class: `pill ${online ? 'online' : 'offline'}`, 'data-online': String(!!online) },
    online ? 'online' : 'offline');
}

// Particle's team access table, as the server's Roles class has it (the server still decides:
// this only keeps the console from offering what the API would refuse).
const VIEW_ONLY = ['VIEW_TEAM', 'VIEW_FLEET_HEALTH', 'VIEW_DEVICE', 'SUBSCRIBE_EVENTS', 'VIEW_VITALS', 'VIEW_SIM',
  'VIEW_FIRMWARE', 'VIEW_INTEGRATIONS', 'VIEW_CLIENTS', 'VIEW_CUSTOMERS', 'VIEW_SETTINGS'];
const SUPPORT = [...VIEW_ONLY, 'REFRESH_VITALS', 'READ_VARIABLES', 'CALL_FUNCTIONS', 'PING', 'UPDATE_SIM'];
const DEVELOPER = [...SUPPORT, 'IMPORT_DEVICES', 'EDIT_DEVICE', 'FLASH_DEVICES', 'REMOVE_DEVICES', 'CREATE_GROUP',
  'EDIT_GROUP', 'PUBLISH_EVENT', 'MANAGE_SIMS', 'MANAGE_FIRMWARE', 'MANAGE_INTEGRATIONS', 'MANAGE_CLIENTS',
  'MANAGE_CUSTOMERS'];
const ADMINISTRATOR = [...DEVELOPER, 'MANAGE_TEAM', 'EDIT_SETTINGS', 'VIEW_BILLING', 'READ_AUDIT'];
export const ROLE_TABLE = {
  'View-only': VIEW_ONLY, Support: SUPPORT, Developer: DEVELOPER, Administrator: ADMINISTRATOR,
  Owner: [...ADMINISTRATOR, 'MANAGE_BILLING'],
};
export const ROLE_ORDER = ['View-only', 'Support', 'Developer', 'Administrator', 'Owner'];
export const ASSIGNABLE_ROLES = ['View-only', 'Support', 'Developer', 'Administrator'];

export function allows(role, actionName) {
  return (ROLE_TABLE[role] || []).includes(actionName);
}

export function stronger(a, b) {
  return ROLE_ORDER.indexOf(a) >= ROLE_ORDER.indexOf(b) ? a : b;
}

/** Shows the current page again after a change, unless the user has moved on meanwhile. */
export function rerender(delayMs = 300) {
  const here = location.hash;
  setTimeout(() => { if (location.hash === here) window.dispatchEvent(new HashChangeEvent('hashchange')); }, delayMs);
}
