// Drives the pinned particle-api-js 12.0.3 against a running Boson server, one call per step.
// Run by server/src/test/java/io/boson/compat/ParticleToolsCompatibilityTest.java.
//
// Environment:
//   BOSON_BASE_URL   e.g. http://127.0.0.1:8080 (no trailing slash)
//   BOSON_USERNAME   an existing account
//   BOSON_PASSWORD   its password
//   BOSON_DEVICE_ID  a registered, connected device nobody owns yet
//   BOSON_EVENT_WAIT_MS  how long to wait for a stream event (default 15000)
//
// Output: the step lines of steps.mjs. Steps: login, claimDevice, listDevices, getDevice, renameDevice, getVariable, callFunction,
// publishEvent, stream:mine (deviceId 'mine', name 'sensors/door'), stream:device (deviceId = the device),
// removeDevice. The exit code is 0 only when every step is OK.
import Particle from 'particle-api-js';
import { steps } from './steps.mjs';

const baseUrl = process.env.BOSON_BASE_URL;
const username = process.env.BOSON_USERNAME;
const password = process.env.BOSON_PASSWORD;
const deviceId = process.env.BOSON_DEVICE_ID;
const eventWaitMs = Number(process.env.BOSON_EVENT_WAIT_MS || 15000);

const particle = new Particle({ baseUrl });
const { step, streamStep, fail, failures } = steps(particle, eventWaitMs);

async function main() {
	const login = await step('login', () => particle.login({ username, password }),
		r => ({ token_type: r.body.token_type, has_access_token: typeof r.body.access_token === 'string', expires_in: r.body.expires_in }));
	if (!login) {
		return;
	}
	const auth = login.body.access_token;

	await step('claimDevice', () => particle.claimDevice({ deviceId, auth }));
	await step('listDevices', () => particle.listDevices({ auth }));
	await step('getDevice', () => particle.getDevice({ deviceId, auth }));
	await step('renameDevice', () => particle.renameDevice({ deviceId, name: 'apijs_device', auth }));
	await step('getVariable', () => particle.getVariable({ deviceId, name: 'temp', auth }));
	await step('callFunction', () => particle.callFunction({ deviceId, name: 'led', argument: 'on', auth }));
	await step('publishEvent', () => particle.publishEvent({ name: 'apijs/cmd', data: 'go', isPrivate: true, auth }));
	await streamStep('stream:mine', { deviceId: 'mine', name: 'sensors/door', auth }, 'sensors/door');
	await streamStep('stream:device', { deviceId, auth }, 'apijs/hello');
	await step('removeDevice', () => particle.removeDevice({ deviceId, auth }));
}

try {
	await main();
} catch (e) {
	fail('script', e);
}
process.exit(failures() === 0 ? 0 : 1);
