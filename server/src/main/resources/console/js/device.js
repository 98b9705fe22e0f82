// One device: what it is, what may be changed, its functions and variables, and its live events.
import { api, get, stream, enc } from './api.js';
import { h, put, field, errorBox, okBox, table, when, onlinePill, action, say } from './ui.js';
import { productContext, productHeader } from './context.js';

const MAX_LOG = 500;

export async function devicePage(root, { product, id }, page) {
  const ctx = product ? await productContext(product) : null;
  const p = ctx?.product;
  const base = p ? `/v1/products/${p.id}/devices/${enc(id)}` : `/v1/devices/${enc(id)}`;
  const can = (a) => !ctx || ctx.can(a);
  const d = await get(base);
  const firmware = p && can('EDIT_DEVICE') ? (await get(`/v1/products/${p.id}/firmware`)) : [];

  const state = h('span', { 'data-testid': 'online' }, onlinePill(d.online));
  const heard = h('span', {}, when(d.last_heard));
  const facts = h('dl', { class: 'facts' }, factRows(d, p, state, heard));
  const reload = async () => {
    const now = await get(base);
    put(state, onlinePill(now.online));
    heard.textContent = when(now.last_heard);
    put(facts, factRows(now, p, state, heard));
  };

  const cards = [h('section', { class: 'card', 'aria-label': 'Identity' }, h('h2', {}, 'Device'), facts)];
  if (can('EDIT_DEVICE')) cards.push(editCard(base, d, p, firmware, can, reload));
  cards.push(callsCard(base, d, p, can));
  cards.push(vitalsCard(d, p, can));

  const heading = d.name || d.id;
  put(root, p ? productHeader(ctx, heading) : [h('div', { class: 'crumbs' }, h('a', { href: '#/devices' }, 'My devices')),
    h('h1', {}, heading)], h('div', { class: 'grid' }, cards), eventLog(page, `${base}/events`, (ev) => {
    if (ev.name === 'spark/status' && (ev.data === 'online' || ev.data === 'offline')) {
      put(state, onlinePill(ev.data === 'online'));
      heard.textContent = when(ev.published_at);
    }
  }));
}

function factRows(d, p, state, heard) {
  const fu = d.firmware_update;
  return [
    ['ID', h('span', { class: 'mono' }, d.id)], ['Name', d.name || '—'], ['State', state], ['Last heard', heard],
    ['Firmware', d.firmware_version ?? '—'], ['Device OS', d.system_firmware_version || '—'],
    ['Platform', d.platform_id], [p ? 'Owner or customer' : 'Owner', d.owner || '—'],
    ...(p ? [['Groups', (d.groups || []).join(', ') || '—'], ['Development', d.development ? 'yes' : 'no'],
      ['Firmware lock', d.desired_firmware_version ? `v${d.desired_firmware_version}` : 'none'],
      ['Update', fu ? `${fu.status}${fu.target_version ? ` → v${fu.target_version} (${fu.target_source})` : ''}` : '—']] : []),
    ['Notes', d.notes || '—'],
  ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]);
}

function editCard(base, d, p, firmware, can, reload) {
  const out = h('div');
  const name = h('input', { type: 'text', value: d.name || '', name: 'name' });
  const notes = h('textarea', { name: 'notes', style: 'min-height:60px' }, d.notes || '');
  const card = h('section', { class: 'card', 'aria-label': 'Edit' }, h('h2', {}, 'Edit'),
    h('div', { class: 'row' }, field('Name', name), action(h('button', { type: 'button' }, 'Rename'), out, async () => {
      await api('PUT', base, { name: name.value.trim() });
      await reload();
      return 'Renamed.';
    })));
  card.append(field('Notes', notes), action(h('button', { type: 'button' }, 'Save notes'), out,
    async () => { await api('PUT', base, { notes: notes.value }); return 'Notes saved.'; }));
  if (p) {
    const groups = h('input', { type: 'text', name: 'groups', value: (d.groups || []).join(', ') });
    const dev = h('input', { type: 'checkbox', name: 'development', checked: !!d.development });
    card.append(h('div', { class: 'row' }, field('Groups (comma separated)', groups),
      action(h('button', { type: 'button' }, 'Save groups'), out, async () => {
        await api('PUT', base, { groups: groups.value.split(',').map((s) => s.trim()).filter(Boolean) });
        await reload();
        return 'Groups saved.';
      })));
    dev.addEventListener('change', async () => {
      try { await api('PUT', base, { development: dev.checked }); await reload(); put(out, okBox(dev.checked ? 'Marked as a development device.' : 'No longer a development device.')); }
      catch (e) { dev.checked = !dev.checked; put(out, errorBox(e)); }
    });
    card.append(h('div', { class: 'row' }, field('Development device (gets no automatic firmware)', dev)));
    const version = h('select', { name: 'lock' }, firmware.map((f) => h('option', { value: f.version,
      selected: f.version === d.desired_firmware_version }, `v${f.version} ${f.title || ''}`)));
    const flash = h('input', { type: 'checkbox', name: 'flash', checked: true });
    const lockRow = h('div', { class: 'row' }, field('Lock to firmware', version));
    if (can('FLASH_DEVICES')) lockRow.append(field('Flash now', flash));
    lockRow.append(action(h('button', { type: 'button', disabled: !firmware.length }, 'Lock'), out, async () => {
      await api('PUT', base, { desired_firmware_version: Number(version.value), flash: can('FLASH_DEVICES') && flash.checked });
      await reload();
      return `Locked to v${version.value}.`;
    }));
    lockRow.append(action(h('button', { type: 'button' }, 'Unlock'), out, async () => {
      await api('PUT', base, { desired_firmware_version: null });
      await reload();
      return 'Unlocked.';
    }));
    card.append(lockRow);
  }
  card.append(out);
  return card;
}

function callsCard(base, d, p, can) {
  const card = h('section', { class: 'card', 'aria-label': 'Functions and variables' }, h('h2', {}, 'Functions'));
  const fns = d.functions || [];
  if (!fns.length) card.append(h('p', { class: 'muted' }, 'The device has announced no functions.'));
  for (const fn of fns) {
    const arg = h('input', { type: 'text', name: `arg-${fn}`, 'aria-label': `Argument for ${fn}` });
    const result = h('output', { 'data-testid': `result-${fn}`, class: 'mono' });
    const out = h('div');
    const button = action(h('button', { type: 'button', disabled: !can('CALL_FUNCTIONS') }, `Call ${fn}`), out, async () => {
      put(result, '…');
      const r = await api('POST', `${base}/${enc(fn)}`, { arg: arg.value });
      put(result, `returned ${r.return_value}`);
    });
    card.append(h('div', { class: 'row' }, h('span', { class: 'mono' }, fn, '('), arg, h('span', { class: 'mono' }, ')'), button, result), out);
  }
  card.append(h('h2', {}, 'Variables'));
  const vars = Object.entries(d.variables || {});
  if (!vars.length) card.append(h('p', { class: 'muted' }, 'The device has announced no variables.'));
  for (const [name, type] of vars) {
    const value = h('output', { 'data-testid': `var-${name}`, class: 'mono' });
    const out = h('div');
    card.append(h('div', { class: 'row' }, h('span', { class: 'mono' }, name, ' : ', type),
      action(h('button', { type: 'button', disabled: !can('READ_VARIABLES') }, `Read ${name}`), out, async () => {
        put(value, '…');
        const r = await api('GET', `${base}/${enc(name)}`);
        put(value, JSON.stringify(r.result));
      }), value), out);
  }
  const out = h('div');
  const row = h('div', { class: 'row' });
  if (can('PING')) row.append(action(h('button', { type: 'button' }, 'Ping'), out, async () => {
    const r = await api('PUT', `${base}/ping`);
    return r.online ? 'The device answered: online.' : 'The device did not answer: offline.';
  }));
  // Signalling is a developer-device call (PUT /v1/devices/:id); the product API has none.
  if (!p) {
    let on = false;
    const b = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Signal');
    row.append(action(b, out, async () => {
      on = !on;
      await api('PUT', `/v1/devices/${enc(d.id)}`, { signal: on ? '1' : '0' });
      b.setAttribute('aria-pressed', String(on));
      b.textContent = on ? 'Stop signalling' : 'Signal';
      return on ? 'The device is shouting rainbows.' : 'Signalling stopped.';
    }));
  }
  card.append(h('h2', {}, 'Actions'), row, out);
  return card;
}

function vitalsCard(d, p, can) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading vitals…'));
  const out = h('div');
  const load = async () => {
    try {
      // Particle's product path for a product device; this server may not have it (then 404).
      const r = await get(p ? `/v1/products/${p.id}/diagnostics/${enc(d.id)}/last` : `/v1/diagnostics/${enc(d.id)}/last`);
      const rows = flatten(r.diagnostics?.payload || {});
      put(body, h('p', { class: 'muted' }, 'Last sent ', when(r.diagnostics?.updated_at)),
        table([['Vital', ([k]) => k], ['Value', ([, v]) => String(v)]], rows, { label: 'Vitals', empty: 'No vitals yet.' }));
    } catch (e) {
      put(body, e.status === 404 ? h('p', { class: 'muted' }, p
        ? 'Vitals of product devices are not available on this server (it has no /v1/products/:product/diagnostics).'
        : 'No vitals yet.') : errorBox(e));
    }
  };
  load();
  const card = h('section', { class: 'card', 'aria-label': 'Vitals' }, h('h2', {}, 'Vitals'), body);
  if (!p && can('REFRESH_VITALS')) card.append(action(h('button', { type: 'button' }, 'Ask for vitals now'), out, async () => {
    await api('POST', `/v1/diagnostics/${enc(d.id)}/update`);
    setTimeout(load, 1500);
    return 'Asked the device; its answer appears here.';
  }), out);
  return card;
}

function flatten(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => v && typeof v === 'object' && !Array.isArray(v)
    ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, Array.isArray(v) ? v.join(', ') : v]]);
}

/** A live event log of an SSE stream, with pause and a name filter. */
export function eventLog(page, path, onEach = () => {}, title = 'Events') {
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Event log', 'data-testid': 'event-log' });
  const filter = h('input', { type: 'search', name: 'filter', placeholder: 'name starts with' });
  const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  const status = h('span', { class: 'muted' }, 'connecting…');
  let paused = false;
  const held = [];
  const show = (ev) => {
    const line = h('div', { 'data-name': ev.name }, h('span', { class: 'muted' }, new Date(ev.published_at || Date.now()).toLocaleTimeString(), ' '),
      h('span', { class: 'name' }, ev.name), ' ', ev.data ?? '', ev.coreid ? h('span', { class: 'muted' }, '  ', ev.coreid) : '');
    line.hidden = !!filter.value && !ev.name.startsWith(filter.value);
    log.prepend(line);
    while (log.childElementCount > MAX_LOG) log.lastElementChild.remove();
  };
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? `Resume` : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) held.splice(0).forEach(show);
  });
  filter.addEventListener('input', () => {
    for (const line of log.children) line.hidden = !!filter.value && !line.dataset.name.startsWith(filter.value);
  });
  page.onLeave(stream(path, (ev) => {
    onEach(ev);
    if (paused) held.push(ev); else show(ev);
  }, (e) => put(status, h('span', { class: 'error' }, `Stream stopped: ${e.message}`)), () => put(status, 'live')));
  return h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title, ' ', status),
    h('div', { class: 'row' }, field('Filter by name', filter), pause), log);
}
