// Device groups: create, rename, recolour, delete. Adding devices in bulk is on the device list.
import { api, get, enc } from './api.js';
import { h, put, field, table, action, rerender, say } from './ui.js';
import { productContext, productHeader } from './context.js';

export async function groupsPage(root, { product }) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const { groups } = await get(`/v1/products/${p.id}/groups`);
  const out = h('div');
  const done = (message) => { say(message); rerender(); return ''; };
  const canEdit = ctx.can('EDIT_GROUP');
  const rows = table([
    ['Group', (g) => [h('span', { class: 'swatch', style: `background:${g.color}` }), h('a', {
      href: `#/p/${p.id}/devices?group=${enc(g.name)}` }, g.name)]],
    ['Description', (g) => g.description || ''],
    ['Released firmware', (g) => g.fw_version ? `v${g.fw_version}` : '—'],
    ...(canEdit ? [['Change', (g) => {
      const name = h('input', { type: 'text', value: g.name, 'aria-label': `New name for ${g.name}`, size: 14 });
      const color = h('input', { type: 'color', value: g.color, 'aria-label': `Colour of ${g.name}` });
      return h('div', { class: 'row' }, name, color,
        action(h('button', { type: 'button' }, 'Save'), out, async () => {
          await api('PUT', `/v1/products/${p.id}/groups/${enc(g.name)}`, { name: name.value.trim(), color: color.value });
          return done(`Group ${name.value.trim()} saved.`);
        }),
        action(h('button', { type: 'button', class: 'danger' }, 'Delete'), out, async () => {
          if (!confirm(`Delete the group ${g.name}? Its devices leave it.`)) return '';
          await api('DELETE', `/v1/products/${p.id}/groups/${enc(g.name)}`);
          return done(`Group ${g.name} deleted.`);
        }));
    }]] : []),
  ], groups, { label: 'Groups', empty: 'No groups yet.' });
  let create = null;
  if (ctx.can('CREATE_GROUP')) {
    const name = h('input', { type: 'text', name: 'name', pattern: '[a-z0-9_-]{1,64}', placeholder: 'beta-testers' });
    const desc = h('input', { type: 'text', name: 'description' });
    const color = h('input', { type: 'color', name: 'color', value: '#1f6feb' });
    create = h('section', { class: 'card', 'aria-label': 'New group' }, h('h2', {}, 'New group'),
      h('div', { class: 'row' }, field('Name (a-z, 0-9, - and _)', name), field('Description', desc), field('Colour', color),
        action(h('button', { type: 'button', class: 'primary' }, 'Create group'), out, async () => {
          await api('POST', `/v1/products/${p.id}/groups`, { name: name.value.trim(), description: desc.value, color: color.value });
          return done(`Group ${name.value.trim()} created.`);
        })));
  }
  put(root, productHeader(ctx, 'Groups'), create, out, rows,
    h('p', { class: 'muted' }, 'To put devices in a group, select them in the device list.'));
}
