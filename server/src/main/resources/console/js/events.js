// The live event stream of a product or of the user's devices, filtered by name prefix and device
// (server-side: the filters pick the stream), and publishing an event.
import { api, enc } from './api.js';
import { h, put, field, action } from './ui.js';
import { productContext, productHeader } from './context.js';
import { eventLog } from './device.js';

export async function eventsPage(root, { product, query }, page) {
  const ctx = product ? await productContext(product) : null;
  const p = ctx?.product;
  const prefix = query.get('prefix') || '';
  const device = query.get('device') || '';
  const base = p ? `/v1/products/${p.id}` : '/v1';
  const path = `${device ? `${base}/devices/${enc(device)}/events` : p ? `${base}/events` : '/v1/devices/events'}` +
    (prefix ? `/${enc(prefix)}` : '');
  const here = p ? `#/p/${p.id}/events` : '#/events';

  const prefixIn = h('input', { type: 'search', name: 'prefix', value: prefix, placeholder: 'temperature' });
  const deviceIn = h('input', { type: 'search', name: 'device', value: device, placeholder: 'device ID or name' });
  const filters = h('form', { class: 'inline card', 'aria-label': 'Which events' },
    field('Name starts with', prefixIn), field('Device', deviceIn), h('button', { type: 'submit' }, 'Show'));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (prefixIn.value.trim()) q.set('prefix', prefixIn.value.trim());
    if (deviceIn.value.trim()) q.set('device', deviceIn.value.trim());
    location.hash = `${here}${q.toString() ? '?' + q : ''}`;
  });

  let publish = null;
  if (!ctx || ctx.can('PUBLISH_EVENT')) {
    const name = h('input', { type: 'text', name: 'event-name', required: true });
    const data = h('input', { type: 'text', name: 'event-data' });
    const out = h('div');
    publish = h('section', { class: 'card', 'aria-label': 'Publish an event' }, h('h2', {}, 'Publish an event'),
      h('div', { class: 'row' }, field('Name', name), field('Data', data),
        action(h('button', { type: 'button', class: 'primary' }, 'Publish'), out, async () => {
          const body = { name: name.value.trim(), data: data.value };
          if (p) await api('POST', `${base}/events`, body);
          else await api('POST', '/v1/devices/events', { ...body, private: true });
          return `Published ${body.name}.`;
        })), out);
  }
  const title = p ? 'Events' : 'My events';
  put(root, p ? productHeader(ctx, title) : h('h1', {}, title), filters, publish,
    eventLog(page, path, () => {}, device ? `Events of ${device}` : 'Live events'));
}
