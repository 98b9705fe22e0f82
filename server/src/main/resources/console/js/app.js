// The shell: sign-in, navigation and the hash router. Every page is a function (root, params, page)
// that fills its root from the API; page.onLeave registers what to close (streams, timers).
import { get, session, signIn, signOut, whenSignedOut, enc } from './api.js';
import { h, put, field, errorBox, table, when, onlinePill, say } from './ui.js';
import { productContext, orgRole } from './context.js';

const main = document.getElementById('main');
let leaving = [];

const routes = [
  [/^\/$/, home],
  [/^\/devices$/, lazy('devices.js', 'deviceList', (m) => ({ product: null }))],
  [/^\/devices\/([^/]+)$/, lazy('device.js', 'devicePage', (m) => ({ product: null, id: m[1] }))],
  [/^\/events$/, lazy('events.js', 'eventsPage', () => ({ product: null }))],
  [/^\/p\/([^/]+)\/devices$/, lazy('devices.js', 'deviceList', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/devices\/([^/]+)$/, lazy('device.js', 'devicePage', (m) => ({ product: m[1], id: m[2] }))],
  [/^\/p\/([^/]+)\/import$/, lazy('import.js', 'importPage', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/groups$/, lazy('groups.js', 'groupsPage', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/firmware$/, lazy('firmware.js', 'firmwarePage', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/team$/, lazy('team.js', 'teamPage', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/customers$/, lazy('team.js', 'customersPage', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/events$/, lazy('events.js', 'eventsPage', (m) => ({ product: m[1] }))],
  [/^\/p\/([^/]+)\/audit$/, lazy('orgs.js', 'productAuditPage', (m) => ({ product: m[1] }))],
  [/^\/o\/([^/]+)$/, lazy('orgs.js', 'orgPage', (m) => ({ org: m[1] }))],
];

function lazy(file, name, paramsOf) {
  return async (root, m, query, page) => (await import(`./${file}`))[name](root, { ...paramsOf(m), query }, page);
}

export function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

async function route() {
  for (const fn of leaving) { try { fn(); } catch { /* already closed */ } }
  leaving = [];
  const s = session.get();
  renderHeader(s);
  const [path, q] = (location.hash.slice(1) || '/').split('?');
  const root = h('div');
  put(main, root);
  if (!s) { loginPage(root); return; }
  const page = { onLeave: (fn) => leaving.push(fn) };
  const hit = routes.find(([re]) => re.test(path));
  if (!hit) { put(root, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', path, '. ', h('a', { href: '#/' }, 'Home'))); return; }
  put(root, h('p', { class: 'muted' }, 'Loading…'));
  try {
    await hit[1](root, path.match(hit[0]), new URLSearchParams(q || ''), page);
  } catch (e) {
    put(root, errorBox(e));
  }
  markCurrent();
}

function markCurrent() {
  const here = location.hash.split('?')[0];
  for (const a of document.querySelectorAll('#nav a, .tabs a')) {
    if (a.getAttribute('href') === here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function renderHeader(s) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!s) { put(nav); put(who); return; }
  put(nav, s.customer ? [] : h('a', { href: '#/' }, 'Home'),
    h('a', { href: '#/devices' }, 'My devices'), h('a', { href: '#/events' }, 'My events'));
  const out = h('button', { type: 'button' }, 'Sign out');
  out.addEventListener('click', async () => {
    out.disabled = true;
    try { await signOut(); } catch (e) { say(`Signing out: ${e.message}`); }
    go('#/');
  });
  put(who, h('span', { 'data-testid': 'username' }, s.username, s.customer ? ' (customer)' : ''), out);
}

function loginPage(root) {
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const clientId = h('input', { type: 'text', name: 'client_id' });
  const clientSecret = h('input', { type: 'password', name: 'client_secret' });
  const out = h('div');
  const submit = h('button', { class: 'primary', type: 'submit' }, 'Sign in');
  const form = h('form', { 'aria-label': 'Sign in' },
    field('Username or email', user), field('Password', pass),
    h('details', {}, h('summary', {}, 'I am a customer of a product'),
      h('p', { class: 'muted' }, "Customers sign in through their product's OAuth client."),
      field('Product client ID', clientId), field('Product client secret', clientSecret)),
    submit, out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    put(out);
    try {
      const client = clientId.value.trim() ? { id: clientId.value.trim(), secret: clientSecret.value } : undefined;
      await signIn(user.value.trim(), pass.value, client);
      go(client ? '#/devices' : '#/');
    } catch (e) {
      put(out, errorBox(e));
    } finally {
      submit.disabled = false;
    }
  });
  put(root, h('div', { class: 'login card' }, h('h1', {}, 'Sign in to Boson'), form));
  user.focus();
}

async function home(root) {
  const s = session.get();
  if (s.customer) { go('#/devices'); return; }
  const [devices, products, orgs] = await Promise.all([get('/v1/devices'),
    get('/v1/user/products').then((r) => r.products), get('/v1/orgs').then((r) => r.organizations)]);
  const roles = await Promise.all(products.map((p) => productContext(p.id).then((c) => c.role).catch(() => '?')));
  const orgRoles = await Promise.all(orgs.map((o) => orgRole(o.slug).catch(() => '?')));
  put(root, h('h1', {}, 'Welcome, ', s.username),
    h('h2', {}, 'Products'),
    table([
      ['Product', (p) => h('a', { href: `#/p/${p.id}/devices` }, p.name)],
      ['ID', (p) => h('span', { class: 'mono' }, p.id, ' · ', p.slug)],
      ['Devices', (p) => p.device_count],
      ['Organization', (p) => p.org ? h('a', { href: `#/o/${enc(p.org)}` }, p.org) : '—'],
      ['Your role', (p) => h('span', { class: 'pill' }, roles[products.indexOf(p)])],
    ], products, { label: 'Products', empty: 'You are on no product team.' }),
    h('h2', {}, 'Organizations'),
    table([
      ['Organization', (o) => h('a', { href: `#/o/${enc(o.slug)}` }, o.name)],
      ['Your role', (o) => h('span', { class: 'pill' }, orgRoles[orgs.indexOf(o)])],
    ], orgs, { label: 'Organizations', empty: 'You belong to no organization.' }),
    h('h2', {}, 'My devices ', h('a', { href: '#/devices', class: 'muted' }, `(${devices.length})`)),
    table([
      ['Device', (d) => h('a', { href: `#/devices/${d.id}` }, d.name || d.id)],
      ['State', (d) => onlinePill(d.online)],
      ['Last heard', (d) => when(d.last_heard)],
    ], devices.slice(0, 10), { label: 'My devices', empty: 'No developer devices claimed.',
      rowAttrs: (d) => ({ 'data-device': d.id }) }));
}

whenSignedOut((why) => { say(why); go('#/'); });
window.addEventListener('hashchange', route);
route();
