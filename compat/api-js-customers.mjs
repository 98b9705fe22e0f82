// Drives particle-api-js 12.0.3's customer calls against a running Boson server: the two-legged
// (shadow customer) flow of a product's own app. Run by ParticleProductsCompatibilityTest.
//
// Environment:
//   BOSON_BASE_URL                       the server
//   BOSON_PRODUCT                        the product id
//   BOSON_CLIENT_ID, BOSON_CLIENT_SECRET a product OAuth client (the app's)
//   BOSON_CUSTOMER_EMAIL                 the customer to create
//   BOSON_DEVICE_ID                      a product device; the test makes it present the claim code
//   BOSON_EVENT_WAIT_MS                  how long to wait for the claim and the stream event (default 15000)
// Output: the step lines of steps.mjs. Steps: createCustomer, getClaimCode, claimed, listDevices,
// callFunction, getVariable, stream:customer, loginAsClientOwner, listDevices:product.
import Particle from 'particle-api-js';
import { steps, line } from './steps.mjs';

const baseUrl = process.env.BOSON_BASE_URL;
const product = process.env.BOSON_PRODUCT;
const email = process.env.BOSON_CUSTOMER_EMAIL;
const deviceId = process.env.BOSON_DEVICE_ID;
const eventWaitMs = Number(process.env.BOSON_EVENT_WAIT_MS || 15000);

const particle = new Particle({ baseUrl, clientId: process.env.BOSON_CLIENT_ID, clientSecret: process.env.BOSON_CLIENT_SECRET });
const { step, streamStep, fail, failures } = steps(particle, eventWaitMs);

async function main() {
	const created = await step('createCustomer', () => particle.createCustomer({ email, password: 'customer-password', product }),
		r => ({ token_type: r.body.token_type, has_access_token: !!r.body.access_token, expires_in: r.body.expires_in }));
	if (!created) return;
	const auth = created.body.access_token;
	await step('getClaimCode', () => particle.getClaimCode({ product, auth }), r => r.body);
	// The test now has the device present the code; wait until the customer owns it.
	const deadline = Date.now() + eventWaitMs;
	let ids = [];
	while (Date.now() < deadline && !ids.includes(deviceId)) {
		ids = (await particle.listDevices({ auth })).body.map(d => d.id);
		if (!ids.includes(deviceId)) await new Promise(r => setTimeout(r, 100));
	}
	if (ids.includes(deviceId)) line('OK', 'claimed', ids); else fail('claimed', { message: 'device not claimed in time', ids });
	await step('listDevices', () => particle.listDevices({ auth }), r => r.body.map(d => ({ id: d.id, owner: d.owner })));
	await step('callFunction', () => particle.callFunction({ deviceId, name: 'led', argument: 'on', auth }), r => r.body);
	await step('getVariable', () => particle.getVariable({ deviceId, name: 'temp', auth }), r => r.body);
	await streamStep('stream:customer', { deviceId: 'mine', auth }, 'cust/hello');
	const owner = await step('loginAsClientOwner', () => particle.loginAsClientOwner(),
		r => ({ token_type: r.body.token_type, has_access_token: !!r.body.access_token }));
	if (owner) {
		await step('listDevices:product', () => particle.listDevices({ product, auth: owner.body.access_token }),
			r => r.body.devices.map(d => ({ id: d.id, owner: d.owner })));
	}
}

try {
	await main();
} catch (e) {
	fail('script', e);
}
process.exit(failures() === 0 ? 0 : 1);
