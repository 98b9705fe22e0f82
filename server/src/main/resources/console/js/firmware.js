// Product firmware: upload, versions and where each is released, releasing with the impact shown
// before confirming, and the rollout as it happens.
import { api, get, stream } from './api.js';
import { h, put, field, errorBox, okBox, table, when, bytes, action } from './ui.js';
import { productContext, productHeader } from './context.js';

const REFRESH_MS = 2000;

export async function firmwarePage(root, { product }, page) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const [versions, { groups }] = await Promise.all([get(`/v1/products/${p.id}/firmware`),
    get(`/v1/products/${p.id}/groups`)]);
  const list = h('div');
  const showList = (fw) => put(list, table([
    ['Version', (f) => h('strong', {}, `v${f.version}`)],
    ['Title', (f) => [f.title, f.description ? h('div', { class: 'muted' }, f.description) : '']],
    ['Size', (f) => bytes(f.size)],
    ['Released to', (f) => releasedTo(f)],
    ['Running it', (f) => h('span', { 'data-testid': `running-${f.version}` }, f.device_count)],
    ['Rollout', (f) => rollout(f)],
    ['Uploaded', (f) => [when(f.uploaded_on), h('div', { class: 'muted' }, f.uploaded_by?.username || '')]],
  ], fw, { label: 'Firmware versions', empty: 'No firmware uploaded yet.' }));
  showList(versions);

  const manage = ctx.can('MANAGE_FIRMWARE');
  const release = h('div');
  put(release, releaseCard(p, versions, groups));
  const uploaded = async () => {
    const now = await get(`/v1/products/${p.id}/firmware`);
    showList(now);
    put(release, releaseCard(p, now, groups));
  };
  put(root, productHeader(ctx, 'Firmware'),
    manage ? h('div', { class: 'grid' }, uploadCard(p, uploaded), release) : null,
    h('h2', {}, 'Versions'), list);

  // Watching the rollout: each flash status event (and a slow timer) refreshes the counts.
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      try { showList(await get(`/v1/products/${p.id}/firmware`)); } catch (e) { put(list, errorBox(e)); }
    }, 300);
  };
  page.onLeave(stream(`/v1/products/${p.id}/events/spark%2F`, (ev) => {
    if (ev.name.startsWith('spark/flash') || ev.name === 'spark/status') refresh();
  }));
  const timer = setInterval(refresh, REFRESH_MS);
  page.onLeave(() => { clearInterval(timer); clearTimeout(pending); });
}

function releasedTo(f) {
  const parts = [];
  if (f.product_default) parts.push(h('span', { class: 'pill online' }, 'whole product'));
  for (const g of f.groups || []) parts.push(h('span', { class: 'pill' }, g));
  if (parts.length && f.intelligent) parts.push(h('span', { class: 'pill warn' }, 'intelligent'));
  return parts.length ? parts : h('span', { class: 'muted' }, 'not released');
}

function rollout(f) {
  const r = f.rollout || {};
  if (!r.targeted) return h('span', { class: 'muted' }, '—');
  const parts = [['updated', '#1a7f37'], ['in_progress', '#1f6feb'], ['pending', '#c4cad4'], ['failed', '#cf222e']];
  return h('div', { 'data-testid': `rollout-${f.version}` },
    h('div', { class: 'bar', role: 'img', 'aria-label': `${r.updated} of ${r.targeted} updated` },
      parts.map(([k, c]) => h('span', { style: `width:${100 * (r[k] || 0) / r.targeted}%;background:${c}` }))),
    h('div', { class: 'muted' }, `${r.updated} updated · ${r.in_progress} updating · ${r.pending} pending · ${r.failed} failed of ${r.targeted}`));
}

function uploadCard(p, uploaded) {
  const file = h('input', { type: 'file', name: 'file', required: true });
  const version = h('input', { type: 'number', name: 'version', min: 1, max: 65535, required: true });
  const title = h('input', { type: 'text', name: 'title' });
  const description = h('input', { type: 'text', name: 'description' });
  const out = h('div');
  return h('section', { class: 'card', 'aria-label': 'Upload firmware' }, h('h2', {}, 'Upload a binary'),
    field('Binary', file), h('div', { class: 'row' }, field('Version', version), field('Title', title)),
    field('Description', description),
    h('div', { class: 'row' }, action(h('button', { type: 'button', class: 'primary' }, 'Upload'), out, async () => {
      if (!file.files[0]) throw new Error('Choose the firmware binary.');
      const form = new FormData();
      form.append('file', file.files[0], file.files[0].name);
      form.append('version', version.value);
      if (title.value) form.append('title', title.value);
      form.append('description', description.value);
      const f = await api('POST', `/v1/products/${p.id}/firmware`, form);
      await uploaded();
      return `Uploaded v${f.version} (${bytes(f.size)}).`;
    })), out);
}

function releaseCard(p, versions, groups) {
  const version = h('select', { name: 'version' }, versions.map((f) => h('option', { value: f.version }, `v${f.version} ${f.title || ''}`)));
  const whole = h('input', { type: 'checkbox', name: 'product_default' });
  const groupBoxes = groups.map((g) => h('input', { type: 'checkbox', name: 'group', value: g.name }));
  const intelligent = h('input', { type: 'checkbox', name: 'intelligent' });
  const impact = h('div', { 'data-testid': 'impact' });
  const out = h('div');
  const confirmBtn = h('button', { type: 'button', class: 'primary', hidden: true }, 'Confirm release');
  const chosen = () => ({ version: Number(version.value), product_default: whole.checked,
    groups: groupBoxes.filter((b) => b.checked).map((b) => b.value), intelligent: intelligent.checked });
  const reset = () => { confirmBtn.hidden = true; put(impact); };
  for (const c of [version, whole, intelligent, ...groupBoxes]) c.addEventListener('change', reset);
  const preview = action(h('button', { type: 'button', disabled: !versions.length }, 'Show impact'), out, async () => {
    const c = chosen();
    if (!c.product_default && !c.groups.length) throw new Error('Release to the whole product or choose groups.');
    const q = new URLSearchParams({ firmware_version: c.version, product_default: c.product_default, groups: c.groups.join(',') });
    const r = await get(`/v1/products/${p.id}/impact?${q}`);
    const u = r.devices.firmware_update;
    put(impact, h('p', {}, h('strong', { 'data-testid': 'impact-total' }, u.total), ` device(s) would move to v${c.version}`,
      c.intelligent ? ' now (online devices at once).' : ' at their next connection.'),
    u.by_version.length ? table([['Running now', (v) => v.version == null ? 'not reported' : `v${v.version}`],
      ['Devices', (v) => v.total]], u.by_version, { label: 'Impact by current version' }) : null);
    confirmBtn.hidden = false;
  });
  action(confirmBtn, out, async () => {
    const c = chosen();
    await api('PUT', `/v1/products/${p.id}/firmware/release`, c);
    confirmBtn.hidden = true;
    return `v${c.version} released to ${[c.product_default ? 'the whole product' : null, ...c.groups].filter(Boolean).join(', ')}` +
      (c.intelligent ? ' (intelligent).' : '.');
  });
  return h('section', { class: 'card', 'aria-label': 'Release firmware' }, h('h2', {}, 'Release'),
    field('Version', version),
    h('fieldset', {}, h('legend', {}, 'To'), field('The whole product', whole),
      groupBoxes.length ? groupBoxes.map((b) => field(`Group ${b.value}`, b)) : h('p', { class: 'muted' }, 'No groups yet.')),
    field('Intelligent (online devices update at once)', intelligent),
    h('div', { class: 'row' }, preview, confirmBtn), impact, out);
}
