// Team and access: members and roles, API users (token shown once), OAuth clients (secret shown
// once), and the product's customers. What the role may not do is not offered.
import { api, get, enc, session } from './api.js';
import { h, put, field, table, when, action, ASSIGNABLE_ROLES, rerender, say } from './ui.js';
import { productContext, productHeader, forget } from './context.js';

export const API_SCOPES = ['devices:list', 'devices:get', 'devices:update', 'devices:import', 'devices:remove',
  'devices:ping', 'devices.function:call', 'devices.variable:get', 'devices.diagnostics:get', 'events:get',
  'events:send', 'groups:list', 'groups:create', 'groups:update', 'groups:remove', 'firmware:list', 'firmware:get',
  'firmware:update', 'teams.users:list', 'clients:list', 'customers:list', 'products:get'];

const done = (message) => { say(message); forget(); rerender(); return ''; };

function roleSelect(current, label) {
  return h('select', { 'aria-label': label }, ASSIGNABLE_ROLES.map((r) => h('option', { value: r, selected: r === current }, r)));
}

/** A team table with invite, role change and removal; shared by products and organizations. */
export function teamSection(base, team, canManage, out) {
  const me = session.get().username.toLowerCase();
  const people = team.filter((m) => !m.is_programmatic);
  const rows = table([
    ['Member', (m) => [m.username, m.username.toLowerCase() === me ? h('span', { class: 'muted' }, ' (you)') : '']],
    ['Role', (m) => {
      if (!canManage || m.role.name === 'Owner') return h('span', { class: 'pill', 'data-role': m.username }, m.role.name);
      const sel = roleSelect(m.role.name, `Role of ${m.username}`);
      sel.addEventListener('change', async () => {
        try { await api('PUT', `${base}/team/${enc(m.username)}`, { role: sel.value }); put(out, h('div', { class: 'success' }, `${m.username} is now ${sel.value}.`)); }
        catch (e) { sel.value = m.role.name; put(out, h('div', { class: 'error', role: 'alert' }, e.message)); }
      });
      return sel;
    }],
    ...(canManage ? [['', (m) => m.role.name === 'Owner' ? '' : action(h('button', { type: 'button', class: 'danger' }, 'Remove'), out, async () => {
      if (!confirm(`Remove ${m.username} from the team?`)) return '';
      await api('DELETE', `${base}/team/${enc(m.username)}`);
      return done(`${m.username} removed.`);
    })]] : []),
  ], people, { label: 'Team members' });
  if (!canManage) return [h('h2', {}, 'Members'), rows];
  const username = h('input', { type: 'email', name: 'username', placeholder: 'name@example.com' });
  const role = roleSelect('View-only', 'Role');
  return [h('h2', {}, 'Members'), rows, h('section', { class: 'card', 'aria-label': 'Invite' }, h('h2', {}, 'Invite a member'),
    h('div', { class: 'row' }, field('Username (an existing account)', username), field('Role', role),
      action(h('button', { type: 'button', class: 'primary' }, 'Invite'), out, async () => {
        await api('POST', `${base}/team`, { username: username.value.trim(), role: role.value });
        return done(`${username.value.trim()} invited as ${role.value}.`);
      })))];
}

/** API users: programmatic members whose scopes say what they may do; the token is shown once. */
export function apiUsersSection(base, team, canManage, out) {
  const users = team.filter((m) => m.is_programmatic);
  const secret = h('div');
  const parts = [h('h2', {}, 'API users'), table([
    ['API user', (m) => h('span', { class: 'mono' }, m.username)],
    ['Scopes', (m) => (m.scopes || []).join(' ')],
    ...(canManage ? [['', (m) => action(h('button', { type: 'button', class: 'danger' }, 'Remove'), out, async () => {
      await api('DELETE', `${base}/team/${enc(m.username)}`);
      return done(`${m.username} removed; its token no longer works.`);
    })]] : []),
  ], users, { label: 'API users', empty: 'No API users.' })];
  if (canManage) {
    const name = h('input', { type: 'text', name: 'friendly_name' });
    const boxes = API_SCOPES.map((s) => h('input', { type: 'checkbox', value: s }));
    parts.push(h('section', { class: 'card', 'aria-label': 'New API user' }, h('h2', {}, 'New API user'),
      field('API user name', name), h('fieldset', {}, h('legend', {}, 'Scopes'),
        h('div', { class: 'row' }, boxes.map((b) => field(b.value, b)))),
      action(h('button', { type: 'button', class: 'primary' }, 'Create API user'), out, async () => {
        const r = await api('POST', `${base}/team`, { friendly_name: name.value.trim(),
          scopes: boxes.filter((b) => b.checked).map((b) => b.value) });
        put(secret, h('p', {}, 'The token of ', r.created.username, ' (shown once; copy it now):'),
          h('div', { class: 'secret', 'data-testid': 'token-once' }, r.created.tokens[0].token));
        return '';
      }), secret));
  }
  return parts;
}

export async function teamPage(root, { product }) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const base = `/v1/products/${p.id}`;
  const { team } = await get(`${base}/team`);
  const out = h('div');
  const manage = ctx.can('MANAGE_TEAM');
  put(root, productHeader(ctx, 'Team and access'), out, teamSection(base, team, manage, out),
    apiUsersSection(base, team, manage, out), await clientsSection(base, ctx.can('VIEW_CLIENTS'), ctx.can('MANAGE_CLIENTS'), out));
}

async function clientsSection(base, canView, canManage, out) {
  if (!canView) return null;
  const { clients } = await get(`${base}/clients`);
  const secret = h('div');
  const parts = [h('h2', {}, 'OAuth clients'), table([
    ['Client', (c) => c.name], ['Type', (c) => c.type], ['ID', (c) => h('span', { class: 'mono' }, c.id)],
    ...(canManage ? [['', (c) => action(h('button', { type: 'button', class: 'danger' }, 'Delete'), out, async () => {
      if (!confirm(`Delete the client ${c.name}? Every token issued through it stops working.`)) return '';
      await api('DELETE', `${base}/clients/${enc(c.id)}`);
      return done(`Client ${c.name} deleted.`);
    })]] : []),
  ], clients, { label: 'OAuth clients', empty: 'No OAuth clients.' })];
  if (canManage) {
    const name = h('input', { type: 'text', name: 'client-name' });
    const type = h('select', { name: 'type' }, h('option', { value: 'installed' }, 'installed'), h('option', { value: 'web' }, 'web'));
    const redirect = h('input', { type: 'text', name: 'redirect_uri', placeholder: 'https://… (web clients)' });
    parts.push(h('section', { class: 'card', 'aria-label': 'New OAuth client' }, h('h2', {}, 'New OAuth client'),
      h('div', { class: 'row' }, field('Client name', name), field('Type', type), field('Redirect URI', redirect),
        action(h('button', { type: 'button', class: 'primary' }, 'Create client'), out, async () => {
          const body = { name: name.value.trim(), type: type.value };
          if (redirect.value.trim()) body.redirect_uri = redirect.value.trim();
          const r = await api('POST', `${base}/clients`, body);
          put(secret, h('p', {}, `Client ${r.client.id}: its secret (shown once; copy it now):`),
            h('div', { class: 'secret', 'data-testid': 'secret-once' }, r.client.secret));
          return '';
        })), secret));
  }
  return parts;
}

export async function customersPage(root, { product }) {
  const ctx = await productContext(product);
  const p = ctx.product;
  const { customers } = await get(`/v1/products/${p.id}/customers`);
  const out = h('div');
  const manage = ctx.can('MANAGE_CUSTOMERS');
  let create = null;
  if (manage) {
    const email = h('input', { type: 'email', name: 'email' });
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password' });
    create = h('section', { class: 'card', 'aria-label': 'New customer' }, h('h2', {}, 'New customer'),
      h('div', { class: 'row' }, field('Email', email), field('Password (8 or more characters)', password),
        action(h('button', { type: 'button', class: 'primary' }, 'Create customer'), out, async () => {
          await api('POST', `/v1/products/${p.id}/customers`, { email: email.value.trim(), password: password.value });
          return done(`Customer ${email.value.trim()} created.`);
        })));
  }
  put(root, productHeader(ctx, 'Customers'), create, out, table([
    ['Customer', (c) => c.username], ['Since', (c) => when(c.created_at)],
    ['Devices', (c) => h('span', { class: 'mono' }, (c.devices || []).join(' ') || '—')],
    ...(manage ? [['', (c) => action(h('button', { type: 'button', class: 'danger' }, 'Delete'), out, async () => {
      if (!confirm(`Delete ${c.username}? Their devices are released and their sessions end.`)) return '';
      await api('DELETE', `/v1/products/${p.id}/customers/${enc(c.username)}`);
      return done(`${c.username} deleted.`);
    })]] : []),
  ], customers, { label: 'Customers', empty: 'No customers yet.' }));
}
