// What the signed-in user is in a product or organization: the product and the stronger of their
// product role and their organization role (as the server counts it).
import { get, session, enc } from './api.js';
import { h, allows, stronger } from './ui.js';

const cache = new Map();
const TTL_MS = 30_000;

function myRow(team) {
  const me = session.get().username.toLowerCase();
  return team.find((m) => m.username.toLowerCase() === me);
}

export async function orgRole(org) {
  const row = myRow((await get(`/v1/orgs/${enc(org)}/team`)).team);
  return row ? row.role.name : null;
}

export async function productContext(p) {
  const hit = cache.get(String(p));
  if (hit && hit.at > Date.now() - TTL_MS) return hit.value;
  const { product } = await get(`/v1/products/${enc(p)}`);
  const row = myRow((await get(`/v1/products/${product.id}/team`)).team);
  let role = row ? row.role.name : null;
  if (product.org) {
    const o = await orgRole(product.org).catch(() => null);
    if (o) role = role ? stronger(role, o) : o;
  }
  const value = { product, role, can: (a) => allows(role, a) };
  cache.set(String(p), { at: Date.now(), value });
  cache.set(String(product.id), { at: Date.now(), value });
  return value;
}

export function forget() { cache.clear(); }

/** The product's heading and tabs; tabs the role cannot use are not offered. */
export function productHeader(ctx, title) {
  const p = ctx.product;
  const tabs = [['devices', 'Devices', 'VIEW_DEVICE'], ['import', 'Import', 'IMPORT_DEVICES'], ['groups', 'Groups', 'VIEW_DEVICE'],
    ['firmware', 'Firmware', 'VIEW_FIRMWARE'], ['team', 'Team', 'VIEW_TEAM'], ['customers', 'Customers', 'VIEW_CUSTOMERS'],
    ['events', 'Events', 'SUBSCRIBE_EVENTS'], ['audit', 'Audit log', 'READ_AUDIT']];
  return [
    h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Home'), ' / ', p.name, ' · ',
      h('span', { class: 'pill', 'data-testid': 'role' }, ctx.role || 'no role')),
    h('h1', {}, title),
    h('nav', { class: 'tabs', 'aria-label': 'Product' }, tabs.filter(([, , a]) => ctx.can(a))
      .map(([path, label]) => h('a', { href: `#/p/${p.id}/${path}` }, label))),
  ];
}
