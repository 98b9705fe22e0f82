// Drives particle-api-js 12.0.3's product calls against a running Boson server.
// Run by server/src/test/java/io/boson/compat/ParticleToolsCompatibilityTest.java.
//
// Environment:
//   BOSON_BASE_URL, BOSON_TOKEN     the server and a token of the product's owner
//   BOSON_PRODUCT                   the product id
//   BOSON_DEVICE_ID                 a registered device to add by id (the test connects it and makes it publish)
//   BOSON_FILE_DEVICE_ID            a registered device to add from a file (a Buffer), then remove
//   BOSON_DENY_DEVICE_ID            a device waiting for approval, to deny
//   BOSON_MEMBER                    an existing account to invite to the team, then remove
//   BOSON_EVENT_WAIT_MS             how long to wait for the stream event (default 15000)
// Output: the step lines of steps.mjs. Steps: getProduct,
// addDeviceToProduct:id, addDeviceToProduct:file, listDevices, stream:product, removeDevice:deny, removeDevice,
// inviteTeamMember, listTeamMembers, removeTeamMember.
import Particle from 'particle-api-js';
import { steps } from './steps.mjs';

const baseUrl = process.env.BOSON_BASE_URL;
const auth = process.env.BOSON_TOKEN;
const product = process.env.BOSON_PRODUCT;
const deviceId = process.env.BOSON_DEVICE_ID;
const fileDeviceId = process.env.BOSON_FILE_DEVICE_ID;
const denyDeviceId = process.env.BOSON_DENY_DEVICE_ID;
const member = process.env.BOSON_MEMBER;
const eventWaitMs = Number(process.env.BOSON_EVENT_WAIT_MS || 15000);

const particle = new Particle({ baseUrl });
const { step, streamStep, fail, failures } = steps(particle, eventWaitMs);

async function main() {
	await step('getProduct', () => particle.getProduct({ product, auth }), r => r.body.product);
	await step('addDeviceToProduct:id', () => particle.addDeviceToProduct({ product, deviceId, auth }));
	await step('addDeviceToProduct:file', () => particle.addDeviceToProduct({ product, file: Buffer.from(fileDeviceId), auth }));
	await step('listDevices', () => particle.listDevices({ product, perPage: 50, auth }),
		r => ({ ids: r.body.devices.map(d => d.id), meta: r.body.meta }));
	await streamStep('stream:product', { product, auth }, 'prod/hello');
	await step('removeDevice:deny', () => particle.removeDevice({ deviceId: denyDeviceId, product, deny: true, auth }));
	await step('removeDevice', () => particle.removeDevice({ deviceId: fileDeviceId, product, auth }));
	await step('inviteTeamMember', () => particle.inviteTeamMember({ username: member, product, auth }));
	await step('listTeamMembers', () => particle.listTeamMembers({ product, auth }),
		r => r.body.team.map(m => ({ username: m.username, role: m.role.name })));
	await step('removeTeamMember', () => particle.removeTeamMember({ username: member, product, auth }));
}

try {
	await main();
} catch (e) {
	fail('script', e);
}
process.exit(failures() === 0 ? 0 : 1);
