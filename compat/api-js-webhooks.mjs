// Drives particle-api-js 12.0.3's webhook calls against a running Boson server.
// Run by server/src/test/java/io/boson/compat/ParticleWebhooksCompatibilityTest.java.
//
// Environment:
//   BOSON_BASE_URL, BOSON_TOKEN     the server and a token of the account (the product's owner)
//   BOSON_PRODUCT                   a product of that account
//   BOSON_DEVICE                    a device of the account, for the device filter
//   BOSON_URL                       where the webhooks send
// Output: the step lines of steps.mjs. Steps: createWebhook, createWebhook:product, listWebhooks,
// listWebhooks:product, deleteWebhook, deleteWebhook:product, listWebhooks:after.
import Particle from 'particle-api-js';
import { steps } from './steps.mjs';

const baseUrl = process.env.BOSON_BASE_URL;
const auth = process.env.BOSON_TOKEN;
const product = process.env.BOSON_PRODUCT;
const device = process.env.BOSON_DEVICE;
const url = process.env.BOSON_URL;

const particle = new Particle({ baseUrl });
const { step, fail, failures } = steps(particle, 1000);

async function main() {
	const mine = await step('createWebhook', () => particle.createWebhook({
		event: 'apijs/temp', url, device, noDefaults: true, rejectUnauthorized: false, auth,
		hook: {
			method: 'PUT',
			headers: { 'X-Source': '{{PARTICLE_DEVICE_ID}}' },
			json: { value: '{{{PARTICLE_EVENT_VALUE}}}' },
			auth: { username: 'u', password: 'p' },
			responseEvent: 'apijs-response',
			errorResponseEvent: 'apijs-error'
		}
	}));
	const theirs = await step('createWebhook:product', () => particle.createWebhook({ event: 'apijs/product', url, product, auth }));
	await step('listWebhooks', () => particle.listWebhooks({ auth }));
	await step('listWebhooks:product', () => particle.listWebhooks({ product, auth }));
	if (mine) await step('deleteWebhook', () => particle.deleteWebhook({ hookId: mine.body.id, auth }));
	if (theirs) await step('deleteWebhook:product', () => particle.deleteWebhook({ hookId: theirs.body.id, product, auth }));
	await step('listWebhooks:after', () => particle.listWebhooks({ auth }));
}

try {
	await main();
} catch (e) {
	fail('script', e);
}
process.exit(failures() === 0 ? 0 : 1);
