// The device list: a product's (paged by the server, fast at 100,000 devices) or the user's own
// developer devices; online state follows spark/status live.
import { api, get, stream, enc } from './api.js';
import { h, put, field, errorBox, table, when, onlinePill, say, rerender } from './ui.js';
import { productContext, productHeader } from './context.js';

const SORTS = { deviceId: 'ID', deviceName: 'Name', lastConnection: 'Last heard', firmwareVersion: 'Firmware' };

function navigate(base, query) {
  const q = new URLSearchParams([...query].filter(([, v]) => v !== ''));
  location.hash = `${base}${q.toString() ? '?' + q : ''}`;
}

/** Keeps the online pills of the listed devices current. */
function live(page, path, rows) {
  const close = stream(path, (ev) => {
    const row = rows.get(ev.coreid);
    if (!row || ev.name !== 'spark/status') return;
    const online = ev.data === 'online';
    row.querySelector('.state').replaceChildren(onlinePill(online));
    row.querySelector('.heard').textContent = when(ev.published_at);
  }, (e) => say(`Live updates stopped: ${e.message}`));
  page.onLeave(close);
}

export async function deviceList(root, { product, query }, page) {
  if (product) return productDevices(root, product, query, page);
  return myDevices(root, query, page);
}

async function productDevices(root, product, query, page) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const base = `#/p/${p.id}/devices`;
  const by = query.get('by') || 'deviceId';
  const q = query.get('q') || '';
  const group = query.get('group') || '';
  const sort = query.get('sort') || 'deviceId';
  const dir = query.get('dir') || 'asc';
  const pageNo = Number(query.get('page') || 1);
  const params = new URLSearchParams({ sortAttr: sort, sortDir: dir, page: pageNo, per_page: 25 });
  if (q) params.set(by, q);
  if (group) params.set('groups', group);
  const started = performance.now();
  const [list, groups] = await Promise.all([get(`/v1/products/${p.id}/devices?${params}`),
    get(`/v1/products/${p.id}/groups`).then((r) => r.groups)]);

  const search = h('input', { type: 'search', name: 'q', value: q, placeholder: 'prefix' });
  const bySel = h('select', { name: 'by' }, h('option', { value: 'deviceId', selected: by === 'deviceId' }, 'ID starts with'),
    h('option', { value: 'deviceName', selected: by === 'deviceName' }, 'Name starts with'));
  const groupSel = h('select', { name: 'group' }, h('option', { value: '' }, 'All groups'),
    groups.map((g) => h('option', { value: g.name, selected: g.name === group }, g.name)));
  const filters = h('form', { class: 'inline card', role: 'search', 'aria-label': 'Filter devices' },
    field('Search', bySel), field('Prefix', search), field('Group', groupSel), h('button', { type: 'submit' }, 'Apply'));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate(base, new URLSearchParams({ by: bySel.value, q: search.value.trim(), group: groupSel.value, sort, dir }));
  });

  const selected = new Set();
  const rows = new Map();
  const sortHead = (attr) => {
    const b = h('button', { class: 'sort', type: 'button' }, SORTS[attr], sort === attr ? (dir === 'asc' ? ' ▲' : ' ▼') : '');
    b.addEventListener('click', () => navigate(base, new URLSearchParams({ by, q, group, sort: attr,
      dir: sort === attr && dir === 'asc' ? 'desc' : 'asc' })));
    return b;
  };
  const canBulk = ctx.can('EDIT_DEVICE') || ctx.can('REMOVE_DEVICES');
  const columns = [
    ...(canBulk ? [['', (d) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `Select ${d.id}` });
      box.addEventListener('change', () => { if (box.checked) selected.add(d.id); else selected.delete(d.id); });
      return box;
    }]] : []),
    [sortHead('deviceId'), (d) => h('a', { href: `${base}/${d.id}`, class: 'mono' }, d.id)],
    [sortHead('deviceName'), (d) => d.name || ''],
    ['State', (d) => h('span', { class: 'state' }, onlinePill(d.online))],
    [sortHead('lastConnection'), (d) => h('span', { class: 'heard' }, when(d.last_heard))],
    [sortHead('firmwareVersion'), (d) => d.firmware_version ?? '—'],
    ['Device OS', (d) => d.system_firmware_version || '—'],
    ['Groups', (d) => (d.groups || []).join(', ')],
    ['Owner', (d) => d.owner || ''],
    ['', (d) => [d.development ? h('span', { class: 'pill warn' }, 'development') : null,
      d.desired_firmware_version ? h('span', { class: 'pill' }, `locked v${d.desired_firmware_version}`) : null]],
  ];
  const list$ = table(columns, list.devices, {
    label: 'Devices', empty: q || group ? 'No device matches.' : 'No devices yet: import some.',
    rowAttrs: (d) => ({ 'data-device': d.id }),
  });
  for (const tr of list$.querySelectorAll('tr[data-device]')) rows.set(tr.dataset.device, tr);

  const meta = list.meta;
  const pager = h('div', { class: 'pager' },
    h('span', { 'data-testid': 'total' }, `${meta.total} devices · page ${meta.page} of ${Math.max(1, meta.total_pages)}`),
    pageLink('← Previous', pageNo > 1, pageNo - 1), pageLink('Next →', pageNo < meta.total_pages, pageNo + 1));
  function pageLink(label, enabled, n) {
    const b = h('button', { type: 'button', disabled: !enabled }, label);
    b.addEventListener('click', () => navigate(base, new URLSearchParams({ by, q, group, sort, dir, page: n })));
    return b;
  }

  const bulkOut = h('div');
  const bulk = canBulk ? bulkBar(ctx, selected, groups, bulkOut) : null;
  put(root, productHeader(ctx, 'Devices'), filters, bulk, bulkOut, list$, pager);
  root.dataset.loadedMs = String(Math.round(performance.now() - started));
  live(page, `/v1/products/${p.id}/events/spark%2Fstatus`, rows);
}

function bulkBar(ctx, selected, groups, out) {
  const p = ctx.product;
  const name = h('input', { type: 'text', name: 'bulk-group', list: 'group-names', placeholder: 'group name' });
  const bar = h('div', { class: 'row card', 'aria-label': 'With the selected devices' },
    h('datalist', { id: 'group-names' }, groups.map((g) => h('option', { value: g.name }))));
  const need = () => {
    if (!selected.size) throw new Error('Select devices in the list first.');
    return [...selected];
  };
  const change = async (key) => {
    const devices = need();
    if (!name.value.trim()) throw new Error('Name the group.');
    await api('PUT', `/v1/products/${p.id}/devices`, { action: 'groups', devices,
      metadata: { [key]: [name.value.trim()] } });
    return `${key === 'add' ? 'Added' : 'Removed'} ${devices.length} device(s) ${key === 'add' ? 'to' : 'from'} ${name.value.trim()}.`;
  };
  const run = (label, fn, cls) => {
    const b = h('button', { type: 'button', class: cls }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try { say(await fn()); put(out); rerender(600); }
      catch (e) { put(out, errorBox(e)); }
      finally { b.disabled = false; }
    });
    return b;
  };
  if (ctx.can('EDIT_DEVICE')) bar.append(field('Group name', name), run('Add to group', () => change('add')),
    run('Remove from group', () => change('remove')));
  if (ctx.can('REMOVE_DEVICES')) bar.append(run('Remove from product', async () => {
    const devices = need();
    if (!confirm(`Remove ${devices.length} device(s) from ${p.name}? They are disconnected and refused until imported again.`)) return 'Nothing removed.';
    let done = 0;
    for (const id of devices) { await api('DELETE', `/v1/products/${p.id}/devices/${id}`); done++; }
    return `Removed ${done} device(s).`;
  }, 'danger'));
  return bar;
}

async function myDevices(root, query, page) {
  const started = performance.now();
  const all = await get('/v1/devices');
  const q = (query.get('q') || '').toLowerCase();
  const state = query.get('state') || '';
  const shown = all.filter((d) => (!q || d.id.startsWith(q) || (d.name || '').toLowerCase().startsWith(q))
      && (!state || String(!!d.online) === state))
    .sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  const search = h('input', { type: 'search', name: 'q', value: q, placeholder: 'ID or name prefix' });
  const stateSel = h('select', { name: 'state' }, h('option', { value: '' }, 'Any'),
    h('option', { value: 'true', selected: state === 'true' }, 'Online'),
    h('option', { value: 'false', selected: state === 'false' }, 'Offline'));
  const form = h('form', { class: 'inline card', role: 'search', 'aria-label': 'Filter devices' },
    field('Search', search), field('State', stateSel), h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    navigate('#/devices', new URLSearchParams({ q: search.value.trim(), state: stateSel.value }));
  });
  const rows = new Map();
  const list = table([
    ['Device', (d) => h('a', { href: `#/devices/${d.id}` }, d.name || d.id)],
    ['ID', (d) => h('span', { class: 'mono' }, d.id)],
    ['State', (d) => h('span', { class: 'state' }, onlinePill(d.online))],
    ['Last heard', (d) => h('span', { class: 'heard' }, when(d.last_heard))],
    ['Firmware', (d) => d.firmware_version ?? '—'],
    ['Device OS', (d) => d.system_firmware_version || '—'],
    ['Product', (d) => d.product_id !== d.platform_id ? d.product_id : '—'],
  ], shown, { label: 'My devices', empty: all.length ? 'No device matches.' : 'You have no devices yet.',
    rowAttrs: (d) => ({ 'data-device': d.id }) });
  for (const tr of list.querySelectorAll('tr[data-device]')) rows.set(tr.dataset.device, tr);
  put(root, h('h1', {}, 'My devices'), form, list,
    h('p', { class: 'muted', 'data-testid': 'total' }, `${shown.length} of ${all.length} devices`));
  root.dataset.loadedMs = String(Math.round(performance.now() - started));
  live(page, '/v1/devices/events/spark%2Fstatus', rows);
}
