// Importing device IDs into a product (pasted or from a file), in batches so progress shows, with
// the result of every ID; and the devices waiting for approval.
import { api, get } from './api.js';
import { h, put, field, errorBox, table, when, action } from './ui.js';
import { productContext, productHeader } from './context.js';

const BATCH = 500;
const OUTCOMES = [
  ['updatedDeviceIds', 'Imported'],
  ['existingDeviceIds', 'Already in this product'],
  ['invalidDeviceIds', 'Invalid (malformed, unregistered or another platform)'],
  ['protectedDeviceIds', 'In another product'],
  ['nonmemberDeviceIds', 'Claimed by an account outside the team (not imported)'],
];

export async function importPage(root, { product }, page) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const text = h('textarea', { name: 'ids', placeholder: 'One device ID per line (spaces and commas work too)' });
  const file = h('input', { type: 'file', name: 'file', accept: '.txt,.csv,text/plain' });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Import progress' });
  const progressText = h('p', { class: 'muted', role: 'status' });
  const report = h('div', { 'data-testid': 'import-report' });
  const go = h('button', { class: 'primary', type: 'button' }, 'Import');
  go.addEventListener('click', async () => {
    go.disabled = true;
    put(report);
    try {
      const source = file.files[0] ? await file.files[0].text() : text.value;
      const ids = source.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
      if (!ids.length) throw new Error('Paste device IDs or choose a file first.');
      const totals = Object.fromEntries(OUTCOMES.map(([k]) => [k, []]));
      progress.hidden = false;
      progress.max = ids.length;
      for (let i = 0; i < ids.length; i += BATCH) {
        const r = await api('POST', `/v1/products/${p.id}/devices`, { ids: ids.slice(i, i + BATCH) });
        for (const [k] of OUTCOMES) totals[k].push(...(r[k] || []));
        progress.value = Math.min(ids.length, i + BATCH);
        progressText.textContent = `${progress.value} of ${ids.length} IDs sent`;
      }
      put(report, h('h2', {}, 'Result'), table([
        ['Outcome', ([k, label]) => label],
        ['Devices', ([k]) => h('span', { 'data-outcome': k }, totals[k].length)],
        ['IDs', ([k]) => totals[k].length ? h('details', {}, h('summary', {}, 'show'),
          h('div', { class: 'mono' }, totals[k].join(' '))) : ''],
      ], OUTCOMES, { label: 'Import result' }));
    } catch (e) {
      put(report, errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
  const waiting = h('div');
  const waitingOut = h('div');
  put(root, productHeader(ctx, 'Import devices'),
    ctx.can('IMPORT_DEVICES') ? h('section', { class: 'card', 'aria-label': 'Import' },
      field('Device IDs', text), h('p', { class: 'muted' }, 'or'), field('A file with one ID per line', file),
      h('div', { class: 'row' }, go), progress, progressText, report)
      : h('p', { class: 'muted' }, 'Your role does not allow importing devices.'),
    h('h2', {}, 'Waiting for approval'), waitingOut, waiting);
  await quarantined(ctx, waiting, waitingOut);
}

async function quarantined(ctx, box, out) {
  const p = ctx.product;
  const r = await get(`/v1/products/${p.id}/devices?quarantined=true&per_page=100`);
  const refresh = () => setTimeout(() => quarantined(ctx, box, out).catch((e) => put(out, errorBox(e))), 300);
  put(box, table([
    ['Device', (d) => h('span', { class: 'mono' }, d.id)],
    ['Last heard', (d) => when(d.last_heard)],
    ['', (d) => ctx.can('IMPORT_DEVICES') ? h('div', { class: 'row' },
      action(h('button', { type: 'button' }, 'Approve'), out, async () => {
        await api('POST', `/v1/products/${p.id}/devices`, { id: d.id });
        refresh();
        return `${d.id} approved.`;
      }),
      action(h('button', { type: 'button', class: 'danger' }, 'Deny'), out, async () => {
        await api('DELETE', `/v1/products/${p.id}/devices/${d.id}`, { deny: true });
        refresh();
        return `${d.id} denied.`;
      })) : ''],
  ], r.devices, { label: 'Devices waiting for approval', empty: 'No device is waiting.' }));
}
