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
// Output: the same OK / FAIL / READY / SKIP lines as api-js-smoke.mjs. Steps: getProduct,
// addDeviceToProduct:id, addDeviceToProduct:file, listDevices, stream:product, removeDevice:deny, removeDevice,
// inviteTeamMember, listTeamMembers, removeTeamMember.
import Particle from 'particle-api-js';

const baseUrl = process.env.BOSON_BASE_URL;
const auth = process.env.BOSON_TOKEN;
const product = process.env.BOSON_PRODUCT;
const deviceId = process.env.BOSON_DEVICE_ID;
const fileDeviceId = process.env.BOSON_FILE_DEVICE_ID;
const denyDeviceId = process.env.BOSON_DENY_DEVICE_ID;
const member = process.env.BOSON_MEMBER;
const eventWaitMs = Number(process.env.BOSON_EVENT_WAIT_MS || 15000);

const particle = new Particle({ baseUrl });
let failures = 0;

function line(kind, step, value) {
	process.stdout.write(`${kind} ${step}${value === undefined ? '' : ' ' + JSON.stringify(value ?? null)}\n`);
}

function describeError(e) {
	if (e === null || typeof e !== 'object') return { message: String(e) };
	return { statusCode: e.statusCode, errorDescription: e.errorDescription, body: e.body, message: e.message };
}

async function step(name, call, pick = r => r.body) {
	try {
		const result = await call();
		line('OK', name, pick(result));
		return result;
	} catch (e) {
		failures++;
		line('FAIL', name, describeError(e));
		return undefined;
	}
}

async function streamStep(name, options, expected) {
	let stream;
	try {
		stream = await particle.getEventStream(options);
	} catch (e) {
		failures++;
		line('FAIL', name, describeError(e));
		return;
	}
	try {
		const event = await new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject({ message: `no '${expected}' event within ${eventWaitMs} ms` }), eventWaitMs);
			stream.on('event', (e) => {
				if (e.name === expected) {
					clearTimeout(timer);
					resolve(e);
				} else {
					line('SKIP', name, e);
				}
			});
			line('READY', name);
		});
		line('OK', name, event);
	} catch (e) {
		failures++;
		line('FAIL', name, describeError(e));
	} finally {
		stream.abort();
	}
}

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
	failures++;
	line('FAIL', 'script', describeError(e));
}
process.exit(failures === 0 ? 0 : 1);
