// Organizations (their products, team and audit log) and a product's audit log.
import { get, enc } from './api.js';
import { h, put, table, when, allows, errorBox } from './ui.js';
import { productContext, productHeader, orgRole } from './context.js';
import { teamSection, apiUsersSection } from './team.js';

function auditTable(entries) {
  return table([
    ['When', (e) => when(e.at)], ['Who', (e) => e.actor], ['Action', (e) => h('span', { class: 'mono' }, e.action)],
    ['Target', (e) => e.target || ''], ['Details', (e) => h('span', { class: 'mono' }, e.details ? JSON.stringify(e.details) : '')],
  ], entries, { label: 'Audit log', empty: 'Nothing recorded yet.' });
}

function pager(meta, here) {
  const page = meta?.page || 1;
  return h('div', { class: 'pager' }, `page ${page} of ${Math.max(1, meta?.total_pages || 1)}`,
    page > 1 ? h('a', { href: `${here}?page=${page - 1}` }, '← Newer') : null,
    page < (meta?.total_pages || 1) ? h('a', { href: `${here}?page=${page + 1}` }, 'Older →') : null);
}

export async function productAuditPage(root, { product, query }) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const r = await get(`/v1/products/${p.id}/audit?per_page=50&page=${Number(query.get('page') || 1)}`);
  put(root, productHeader(ctx, 'Audit log'), auditTable(r.entries), pager(r.meta, `#/p/${p.id}/audit`));
}

export async function orgPage(root, { org, query }) {
  const [{ organization: o }, role] = await Promise.all([get(`/v1/orgs/${enc(org)}`), orgRole(org)]);
  const base = `/v1/orgs/${enc(o.slug)}`;
  const [{ products }, { team }] = await Promise.all([get(`${base}/products`), get(`${base}/team`)]);
  const out = h('div');
  const audit = h('div');
  put(root, h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Home'), ' / organization · ',
    h('span', { class: 'pill', 'data-testid': 'role' }, role || 'no role')), h('h1', {}, o.name),
  h('h2', {}, 'Products'), table([
    ['Product', (p) => h('a', { href: `#/p/${p.id}/devices` }, p.name)], ['ID', (p) => p.id],
    ['Devices', (p) => p.device_count], ['Created', (p) => when(p.created_at)],
  ], products, { label: 'Organization products', empty: 'No products yet.' }),
  out, teamSection(base, team, allows(role, 'MANAGE_TEAM'), out),
  apiUsersSection(base, team, allows(role, 'MANAGE_TEAM'), out),
  h('h2', {}, 'Audit log'), audit);
  if (!allows(role, 'READ_AUDIT')) { put(audit, h('p', { class: 'muted' }, 'Administrators read the audit log.')); return; }
  try {
    const r = await get(`${base}/audit?per_page=50&page=${Number(query.get('page') || 1)}`);
    put(audit, auditTable(r.entries), pager(r.meta, `#/o/${enc(o.slug)}`));
  } catch (e) {
    put(audit, errorBox(e));
  }
}
