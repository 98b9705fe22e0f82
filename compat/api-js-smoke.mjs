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
// Protocol on stdout, one line each (JSON after the keyword):
//   OK <step> <json>     the call resolved; <json> is what the caller of api-js would use
//   FAIL <step> <json>   the call rejected; <json> = {statusCode, errorDescription, body, message}
//   READY <stream>       the event stream is open; the test now makes the device publish
//   SKIP <stream> <json> an event that arrived on the stream but is not the one waited for
// Steps: login, claimDevice, listDevices, getDevice, renameDevice, getVariable, callFunction,
// publishEvent, stream:mine (deviceId 'mine', name 'sensors/door'), stream:device (deviceId = the device),
// removeDevice. The exit code is 0 only when every step is OK.
import Particle from 'particle-api-js';

const baseUrl = process.env.BOSON_BASE_URL;
const username = process.env.BOSON_USERNAME;
const password = process.env.BOSON_PASSWORD;
const deviceId = process.env.BOSON_DEVICE_ID;
const eventWaitMs = Number(process.env.BOSON_EVENT_WAIT_MS || 15000);

const particle = new Particle({ baseUrl });
let failures = 0;

function line(kind, step, value) {
	process.stdout.write(`${kind} ${step}${value === undefined ? '' : ' ' + JSON.stringify(value ?? null)}\n`);
}

function describeError(e) {
	if (e === null || typeof e !== 'object') {
		return { message: String(e) };
	}
	return {
		statusCode: e.statusCode,
		errorDescription: e.errorDescription,
		shortErrorDescription: e.shortErrorDescription,
		// api-js puts the whole HTTP response under `error`; keep only a message from it.
		error: e.error instanceof Error ? e.error.message : (typeof e.error === 'string' ? e.error : undefined),
		body: e.body,
		message: e.message
	};
}

/** Runs one step; prints OK with pick(result) or FAIL with the error. Returns the result or undefined. */
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

/** Opens a stream, prints READY, and resolves with the first event named `expected` (others are SKIPped). */
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
			stream.on('error', (e) => line('SKIP', name, { streamError: describeError(e) }));
			// Attached before READY, so the test's publish cannot race the listener.
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
	failures++;
	line('FAIL', 'script', describeError(e));
}
process.exit(failures === 0 ? 0 : 1);
